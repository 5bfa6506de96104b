/**
 * An optimistic reader for the common record: a root object of plain
 * fields, maybe nested, with whitespace between tokens and nothing odd.
 * It reads the record's bytes in one pass, matches each field's full
 * dotted path against the job's input fields as bytes, and notes where a
 * wanted value lies instead of decoding it. A flat record with the same
 * top-level names, in the same order, as the flat record before it is
 * read by that record's shape alone (recordShape.ts), which compares each
 * name with the name expected there and does no other bookkeeping.
 *
 * On anything it does not handle (comments, escapes or non-ASCII text in
 * a wanted value or in a name, an array in a wanted field, arrays or
 * objects inside arrays, a repeated name, a syntax error, the end of the
 * bytes, any limit) it gives up and the exact reader reads the record
 * from its start; it changes no state before it succeeds. So it finds
 * the records the exact reader finds, with the same leaf counts and
 * values, or none.
 */
import {
  FAIL, scanPlainString, scanScalar, skipSpace, skipValue,
} from './jsonFastScan.js';
import { RecordShape } from './recordShape.js';
import { ValueKind, spanText, type RecordSpans } from './recordSpans.js';
import { FNV_BASIS, FNV_PRIME, WantedPaths } from './wantedPaths.js';
import type { ReaderLimits, RecordSink } from './types.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Deeper records are left to the exact reader. */
const MAX_LEVELS = 16;
/** Objects with more names are left to the exact reader. */
const MAX_NAMES = 128;
const MAX_PATH_BYTES = 512;

export class JsonFastPath implements RecordSpans {
  bytes: Uint8Array = new Uint8Array(0);
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  presentCount = 0;
  leafCount = 0;
  private readonly wanted: WantedPaths;
  private readonly maxDepth: number;
  private readonly maxFields: number;
  private readonly maxRecordBytes: number;
  /** Name hashes of each open object, MAX_NAMES per level. */
  private readonly names = new Int32Array(MAX_LEVELS * MAX_NAMES);
  private readonly nameCounts = new Int32Array(MAX_LEVELS);
  /** One bit per name hash mod 32: most names need no list scan. */
  private readonly blooms = new Int32Array(MAX_LEVELS);
  private readonly prefixLengths = new Int32Array(MAX_LEVELS);
  private readonly prefixHashes = new Int32Array(MAX_LEVELS);
  private readonly path = new Uint8Array(MAX_PATH_BYTES);
  private readonly shape = new RecordShape();
  /** Top-level names read so far in this record. */
  private topCount = 0;
  /** Whether a top-level name of this record missed the shape. */
  private offShape = false;
  /** Whether this record has an object value. */
  private nested = false;
  /** Whether the last record had none, so the shape may read the next. */
  private lastFlat = false;
  /** The window `view` shows, for reading names a word at a time. */
  private viewed: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(fieldPaths: readonly string[], limits: ReaderLimits) {
    this.wanted = new WantedPaths(fieldPaths);
    const n = fieldPaths.length;
    this.kinds = new Uint8Array(n);
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.maxDepth = limits.maxDepth;
    this.maxFields = limits.maxFieldsPerRecord;
    this.maxRecordBytes = limits.maxRecordBytes;
  }

  /**
   * Reads the root object starting at `start` (its `{`); returns the
   * position just past its `}`, or FAIL with nothing to show for it.
   */
  read(buf: Uint8Array, start: number, end: number): number {
    if (buf[start] !== OPEN_OBJECT || this.maxDepth < 1) return FAIL;
    if (this.presentCount > 0) {
      // A loop: fill() is a call into the runtime, slow for a few bytes.
      const kinds = this.kinds;
      for (let i = 0; i < kinds.length; i += 1) kinds[i] = 0;
      this.presentCount = 0;
    }
    this.bytes = buf;
    if (this.lastFlat && this.shape.count > 0) {
      const after = this.readFlat(buf, start, end);
      if (after >= 0) return after;
    }
    this.leafCount = 0;
    this.topCount = 0;
    this.nested = false;
    this.offShape = false;
    this.nameCounts[0] = 0;
    this.blooms[0] = 0;
    this.prefixLengths[0] = 0;
    this.prefixHashes[0] = FNV_BASIS;
    let level = 0;

    let p = skipSpace(buf, start + 1, end);
    if (p >= end) return FAIL;
    let c = buf[p++];
    if (c !== QUOTE && c !== CLOSE_OBJECT) return FAIL;
    for (;;) {
      if (c === QUOTE) {
        p = this.member(buf, p, end, level);
        if (p < 0) {
          if (p === FAIL) return FAIL;
          // An object opened: its first name or its end comes next.
          level += 1;
          p = -p - 2;
          p = skipSpace(buf, p, end);
          if (p >= end) return FAIL;
          c = buf[p++];
          if (c === QUOTE) continue;
          if (c !== CLOSE_OBJECT) return FAIL;
        } else {
          p = skipSpace(buf, p, end);
          if (p >= end) return FAIL;
          c = buf[p++];
        }
      }
      while (c === CLOSE_OBJECT) {
        if (level === 0) return this.finish(start, p);
        level -= 1;
        p = skipSpace(buf, p, end);
        if (p >= end) return FAIL;
        c = buf[p++];
      }
      if (c !== COMMA) return FAIL;
      p = skipSpace(buf, p, end);
      if (p >= end || buf[p] !== QUOTE) return FAIL;
      c = buf[p++];
    }
  }

  /** Hands the last record to a sink that wants strings. */
  deliver(sink: RecordSink, values: (string | undefined)[]): void {
    for (let i = 0; i < values.length; i += 1) {
      values[i] = spanText(this, i);
    }
    sink.record(this.leafCount, values);
  }

  private finish(start: number, p: number): number {
    if (p - start > this.maxRecordBytes) return FAIL;
    if (this.offShape) this.shape.adopt(this.bytes, this.topCount);
    this.lastFlat = !this.nested;
    return p;
  }

  /**
   * The record read by the shape alone; on FAIL the values it may have
   * set are cleared for the general loop.
   */
  private readFlat(buf: Uint8Array, start: number, end: number): number {
    const shape = this.shape;
    if (this.viewed !== buf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewed = buf;
    }
    const after = shape.readFlat(buf, this.view, start, end, this.maxDepth,
      this);
    const fits = after >= 0 && after - start <= this.maxRecordBytes
      && shape.count <= this.maxFields;
    if (fits) {
      this.leafCount = shape.count;
      this.presentCount = shape.wantedCount;
      return after;
    }
    const kinds = this.kinds;
    for (let i = 0; i < kinds.length; i += 1) kinds[i] = 0;
    return FAIL;
  }

  /**
   * One `"name": value` whose opening quote was read at `level`. Returns
   * the position past a leaf value; past an opening `{` it returns
   * `-(position) - 2` with the new level's bookkeeping set up.
   */
  private member(
    buf: Uint8Array, start: number, end: number, level: number,
  ): number {
    let p = level === 0 ? this.shapeName(buf, start, end) : FAIL;
    let ph: number;
    let index = -2;
    if (p >= 0) {
      ph = this.shape.hashes[this.topCount];
      index = this.shape.indexes[this.topCount];
    } else {
      // Names of one object share their prefix, so the path hash also
      // tells a repeated name apart.
      p = start;
      ph = this.prefixHashes[level];
      for (;;) {
        if (p >= end) return FAIL;
        const b = buf[p];
        if (b === QUOTE) break;
        if (b < 0x20 || b >= 0x80 || b === 0x5c) return FAIL;
        ph = Math.imul(ph ^ b, FNV_PRIME);
        p += 1;
      }
      if (!this.noteName(level, ph)) return FAIL;
      p += 1;
    }
    const nameEnd = p - 1;
    if (level === 0) {
      if (index === -2) index = this.lookup(ph, buf, start, nameEnd, 0);
      this.shape.note(this.topCount, start, nameEnd, ph, index);
      this.topCount += 1;
    }

    p = skipSpace(buf, p, end);
    if (p >= end || buf[p] !== COLON) return FAIL;
    p = skipSpace(buf, p + 1, end);
    if (p >= end) return FAIL;
    const c = buf[p++];

    if (c === OPEN_OBJECT) {
      return this.open(buf, start, nameEnd, level, ph, p);
    }
    this.leafCount += 1;
    if (this.leafCount > this.maxFields) return FAIL;
    if (index === -2) index = this.lookup(ph, buf, start, nameEnd, level);
    if (index < 0) return skipValue(buf, p, end, c, level, this.maxDepth);
    return this.capture(buf, p, end, c, index);
  }

  /**
   * A top-level name that is the one the shape expects at its place: the
   * position past its closing quote; FAIL, and the shape is left for the
   * rest of the record, otherwise.
   */
  private shapeName(buf: Uint8Array, start: number, end: number): number {
    if (this.offShape) return FAIL;
    const k = this.topCount;
    const after = this.shape.match(buf, start, end, k);
    if (after >= 0) return after;
    this.offShape = true;
    // The names matched so far were not noted for the repeat check.
    for (let j = 0; j < k; j += 1) this.noteName(0, this.shape.hashes[j]);
    return FAIL;
  }

  /** False when the name may repeat one of the same object. */
  private noteName(level: number, h: number): boolean {
    const bit = 1 << (h & 31);
    const count = this.nameCounts[level];
    const base = level * MAX_NAMES;
    if ((this.blooms[level] & bit) !== 0) {
      for (let i = base; i < base + count; i += 1) {
        if (this.names[i] === h) return false;
      }
    }
    if (count >= MAX_NAMES) return false;
    this.names[base + count] = h;
    this.nameCounts[level] = count + 1;
    this.blooms[level] |= bit;
    return true;
  }

  private open(
    buf: Uint8Array, nameStart: number, nameEnd: number, level: number,
    ph: number, p: number,
  ): number {
    const next = level + 1;
    this.nested = true;
    // The exact tokenizer counts the root object as depth 1.
    if (next >= MAX_LEVELS || next + 1 > this.maxDepth) return FAIL;
    const from = this.prefixLengths[level];
    const length = from + nameEnd - nameStart + 1;
    if (length > MAX_PATH_BYTES) return FAIL;
    const path = this.path;
    for (let i = nameStart; i < nameEnd; i += 1) {
      path[from + i - nameStart] = buf[i];
    }
    path[length - 1] = 0x2e;
    this.prefixLengths[next] = length;
    this.prefixHashes[next] = Math.imul(ph ^ 0x2e, FNV_PRIME);
    this.nameCounts[next] = 0;
    this.blooms[next] = 0;
    return -p - 2;
  }

  /** The wanted index of the path `prefix + name`, or -1. */
  private lookup(
    ph: number, buf: Uint8Array, nameStart: number, nameEnd: number,
    level: number,
  ): number {
    return this.wanted.lookup(ph, this.path, this.prefixLengths[level], buf,
      nameStart, nameEnd);
  }

  /** A wanted scalar: its kind and byte range; a later one overwrites. */
  private capture(
    buf: Uint8Array, p: number, end: number, c: number, index: number,
  ): number {
    let kind: number;
    let from = p;
    let to: number;
    if (c === QUOTE) {
      const after = scanPlainString(buf, p, end);
      if (after < 0) return FAIL;
      kind = ValueKind.STRING;
      to = after - 1;
      p = after;
    } else {
      from = p - 1;
      to = scanScalar(buf, p, end, c);
      if (to < 0) return FAIL;
      kind = c === 0x74 ? ValueKind.TRUE : c === 0x66 ? ValueKind.FALSE
        : c === 0x6e ? ValueKind.NULL : ValueKind.NUMBER;
      p = to;
    }
    if (this.kinds[index] === ValueKind.ABSENT) this.presentCount += 1;
    this.kinds[index] = kind;
    this.starts[index] = from;
    this.ends[index] = to;
    return p;
  }
}
