/**
 * The top-level names of the last record that the fast path had to look
 * up one by one. Records of one upload nearly always repeat their
 * predecessor's names in the same order, so comparing a name's bytes with
 * the name expected at its place replaces hashing it, checking it against
 * the object's other names and looking it up among the wanted fields.
 */

/** Records with more top-level names, or longer ones, are not cached. */
const MAX_NAMES = 64;
const MAX_BYTES = 2048;

export class RecordShape {
  /** Names in the shape; 0 when there is none. */
  count = 0;
  /** Path hash of each name (its path is the name itself at the top). */
  readonly hashes = new Int32Array(MAX_NAMES);
  /** Wanted-field index of each name, or -1. */
  readonly indexes = new Int32Array(MAX_NAMES);
  private readonly bytes = new Uint8Array(MAX_BYTES);
  private readonly offsets = new Int32Array(MAX_NAMES + 1);
  /** The names of the record being read, as window positions. */
  private noted = 0;
  private readonly starts = new Int32Array(MAX_NAMES);
  private readonly ends = new Int32Array(MAX_NAMES);
  private readonly notedHashes = new Int32Array(MAX_NAMES);
  private readonly notedIndexes = new Int32Array(MAX_NAMES);

  /**
   * If the name starting at `p` (just past its quote) is name `k` of the
   * shape, the position just past its closing quote; -1 otherwise.
   */
  match(buf: Uint8Array, p: number, end: number, k: number): number {
    if (k >= this.count) return -1;
    const from = this.offsets[k];
    const length = this.offsets[k + 1] - from;
    if (p + length >= end) return -1;
    const bytes = this.bytes;
    for (let i = 0; i < length; i += 1) {
      if (buf[p + i] !== bytes[from + i]) return -1;
    }
    return buf[p + length] === 0x22 ? p + length + 1 : -1;
  }

  /** Notes name `k` of the record being read. */
  note(k: number, start: number, end: number, hash: number, index: number):
    void {
    if (k >= MAX_NAMES) return;
    this.starts[k] = start;
    this.ends[k] = end;
    this.notedHashes[k] = hash;
    this.notedIndexes[k] = index;
    this.noted = k + 1;
  }

  /** Makes the `count` names noted from `buf` the shape. */
  adopt(buf: Uint8Array, count: number): void {
    this.count = 0;
    if (count > MAX_NAMES || count !== this.noted) return;
    let at = 0;
    for (let k = 0; k < count; k += 1) {
      const length = this.ends[k] - this.starts[k];
      if (at + length > MAX_BYTES) return;
      this.offsets[k] = at;
      this.bytes.set(buf.subarray(this.starts[k], this.ends[k]), at);
      at += length;
      this.hashes[k] = this.notedHashes[k];
      this.indexes[k] = this.notedIndexes[k];
    }
    this.offsets[count] = at;
    this.count = count;
  }
}
