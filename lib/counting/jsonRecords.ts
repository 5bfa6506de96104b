/**
 * Groups the token stream into records the way the original's record
 * reader does (spec §1.4-§1.6): a record ends at an END_OBJECT met at
 * nesting level 0; only objects that are field values raise the level;
 * a syntax error skips to one END_OBJECT per open level and ends the
 * record with what was counted before it.
 */
import { SYNTAX_ERROR } from './jsonBytes.js';
import type { JsonTokenizer } from './jsonTokenizer.js';
import { Token, isValueToken } from './jsonToken.js';
import { malformedJson, tooManyFields } from './errors.js';

/** Errors met while skipping after a syntax error, per upload. */
const PARSE_ERRORS_LIMIT = 100;

export class JsonRecords {
  /** Syntax errors counted during recovery so far in this upload. */
  errorCount = 0;
  readonly values: (string | undefined)[];
  private level = 0;
  private readonly prefixes: string[] = [''];
  private fieldCount = 0;
  private dirty = false;

  constructor(
    private readonly tokens: JsonTokenizer,
    private readonly wanted: ReadonlyMap<string, number>,
    fieldTotal: number,
    private readonly maxFields: number,
    /** Called where reading could restart as if at a record boundary. */
    private readonly idle: () => void,
  ) {
    this.values = new Array<string | undefined>(fieldTotal);
  }

  /** The next record's leaf count, or -1 when the input has no more. */
  read(): number {
    if (this.dirty) {
      this.values.fill(undefined);
      this.dirty = false;
    }
    this.fieldCount = 0;
    this.level = 0;

    let token = this.tryNext();
    while (!(token === Token.END_OBJECT && this.level === 0)) {
      if (token === Token.NONE) return -1;
      if (token === Token.END_OBJECT) {
        this.level -= 1;
      } else if (token === Token.FIELD_NAME) {
        this.readField();
      } else if (this.level === 0 && this.fieldCount === 0
        && token !== Token.START_OBJECT) {
        this.idle();
      }
      token = this.tryNext();
    }
    return this.fieldCount;
  }

  private readField(): void {
    const name = this.tokens.name;
    const token = this.tryNext();
    if (token === Token.NONE) return;
    if (token === Token.START_OBJECT) {
      this.level += 1;
      this.prefixes[this.level] = `${this.prefixes[this.level - 1]}${name}.`;
      return;
    }
    if (token !== Token.START_ARRAY && !isValueToken(token)) return;

    this.fieldCount += 1;
    if (this.fieldCount > this.maxFields) throw tooManyFields(this.maxFields);
    const path = this.level === 0 ? name : this.prefixes[this.level] + name;
    const index = this.wanted.get(path);
    if (index === undefined) {
      this.skipValue(token);
      return;
    }
    this.values[index] = this.capture(token);
    this.dirty = true;
  }

  /**
   * A scalar's text, or the scalars of an array joined with commas up to
   * the first END_ARRAY, whatever lies between (spec §1.5).
   */
  private capture(first: number): string {
    if (first !== Token.START_ARRAY) return this.textOf(first);
    let joined = '';
    let needComma = false;
    let token: number = first;
    while (token !== Token.END_ARRAY) {
      token = this.tryNext();
      // The original dereferences the missing token here and fails the
      // upload with an internal error; this fails it as malformed.
      if (token === Token.NONE) throw malformedJson();
      if (!isValueToken(token)) continue;
      if (needComma) joined += ',';
      needComma = true;
      joined += this.textOf(token);
    }
    return joined;
  }

  private textOf(token: number): string {
    if (token === Token.NULL) return '';
    try {
      return this.tokens.text();
    } catch (error) {
      // A captured string is decoded outside the original's recovery, so
      // a bad escape or control character in it fails the whole upload.
      if (error === SYNTAX_ERROR) throw malformedJson();
      throw error;
    }
  }

  private skipValue(first: number): void {
    if (first !== Token.START_ARRAY) return;
    let depth = 1;
    let token: number;
    do {
      token = this.tryNext();
      if (token === Token.END_ARRAY) depth -= 1;
      else if (token === Token.START_ARRAY) depth += 1;
    } while (token !== Token.NONE && depth > 0);
  }

  /** The next token; on a syntax error, recovery, then END_OBJECT. */
  private tryNext(): number {
    try {
      return this.tokens.next();
    } catch (error) {
      if (error !== SYNTAX_ERROR) throw error;
    }
    for (let i = 0; i <= this.level; i += 1) this.skipToEndOfObject();
    this.level = 0;
    return this.tokens.current;
  }

  private skipToEndOfObject(): void {
    let token: number = Token.NONE;
    do {
      try {
        token = this.tokens.next();
      } catch (error) {
        if (error !== SYNTAX_ERROR) throw error;
        this.errorCount += 1;
        if (this.errorCount >= PARSE_ERRORS_LIMIT) throw malformedJson();
      }
      // The original would wait forever for an END_OBJECT here (spec §12
      // item 4); the upload fails instead.
      if (token === Token.NONE && this.tokens.atEnd()) throw malformedJson();
    } while (token !== Token.END_OBJECT);
  }
}
