/**
 * A pull tokenizer over UTF-8 bytes that reproduces the token stream of the
 * original's byte parser (comments allowed, strict duplicate detection,
 * everything else strict), including its state after a syntax error: which
 * bytes the failed call consumed, that a failed comma check still moved the
 * entry index, and that a failed colon leaves a field name with no value,
 * so the next call returns "no token".
 *
 * It works on one contiguous buffer. When the bytes run out before a token
 * is known and more input may come, it throws NEED_MORE and the caller
 * rolls back to a saved state; only at the true end of input do EOF rules
 * apply.
 */
import { isSpace } from './asciiBytes.js';
import { NEED_MORE, SYNTAX_ERROR } from './jsonBytes.js';
import { JsonScanner } from './jsonScanner.js';
import { Token } from './jsonToken.js';
import { nestingTooDeep } from './errors.js';

const ROOT = 0;
const OBJECT = 1;
const ARRAY = 2;

/** The tokenizer's resumable state, as plain JSON-safe data. */
export interface TokenizerState {
  types: number[];
  indexes: number[];
  /** Field names already seen in each open object (null elsewhere). */
  names: (string[] | null)[];
  current: number;
  pending: number;
  incomplete: boolean;
}

export class JsonTokenizer extends JsonScanner {
  current: number = Token.NONE;
  /** Name of the last FIELD_NAME token. */
  name = '';
  private pending: number = Token.NONE;
  private depth = 0;
  private readonly types: number[] = [ROOT];
  private readonly indexes: number[] = [-1];
  private readonly names: (Set<string> | null)[] = [null];
  private savedDepth = 0;
  private readonly savedTypes: number[] = [ROOT];
  private readonly savedIndexes: number[] = [-1];
  private readonly savedNames: (string[] | null)[] = [null];
  private savedCurrent: number = Token.NONE;
  private savedPending: number = Token.NONE;
  private savedIncomplete = false;

  constructor(private readonly maxDepth: number) {
    super();
  }

  /** The next token; Token.NONE at the end of input (or after a lost value). */
  next(): number {
    if (this.current === Token.FIELD_NAME) return this.afterName();
    if (this.incomplete) {
      this.incomplete = false;
      this.skipString();
    }
    let c = this.skipWhitespaceOrEnd();
    if (c < 0) {
      if (this.depth > 0) throw SYNTAX_ERROR;
      this.current = Token.NONE;
      return Token.NONE;
    }
    const type = this.types[this.depth];
    if (c === 0x5d) return this.closeScope(ARRAY, Token.END_ARRAY);
    if (c === 0x7d) return this.closeScope(OBJECT, Token.END_OBJECT);
    if (this.expectComma()) {
      if (c !== 0x2c) throw SYNTAX_ERROR;
      c = this.skipWhitespace();
    }
    if (type !== OBJECT) {
      const token = this.parseValue(c, type === ROOT);
      if (token === Token.START_ARRAY) this.push(ARRAY);
      else if (token === Token.START_OBJECT) this.push(OBJECT);
      this.current = token;
      return token;
    }

    const name = this.parseName(c);
    const seen = this.names[this.depth] as Set<string>;
    if (seen.has(name)) throw SYNTAX_ERROR;
    seen.add(name);
    this.name = name;
    // Set before the colon is read: a missing colon or a bad value leaves
    // this name current with no value pending.
    this.current = Token.FIELD_NAME;
    c = this.skipColon();
    if (c === 0x22) {
      this.incomplete = true;
      this.pending = Token.STRING;
      return Token.FIELD_NAME;
    }
    this.pending = this.parseValue(c, false);
    return Token.FIELD_NAME;
  }

  /** Text of the current scalar (null gives "null"); may throw SYNTAX. */
  text(): string {
    switch (this.current) {
      case Token.STRING:
        if (this.incomplete) {
          this.incomplete = false;
          this.stringText = this.readString();
        }
        return this.stringText;
      case Token.NUMBER:
        return this.numberText();
      case Token.TRUE:
        return 'true';
      case Token.FALSE:
        return 'false';
      default:
        return 'null';
    }
  }

  /** True when every byte was read and no more will come. */
  atEnd(): boolean {
    return this.final && this.pos >= this.end;
  }

  /** Skips plain whitespace where that cannot change what comes next. */
  skipSeparators(): void {
    if (this.incomplete || this.current === Token.FIELD_NAME) return;
    const { buf, end } = this;
    let p = this.pos;
    while (p < end && isSpace(buf[p])) p += 1;
    this.pos = p;
  }

  /**
   * Where a root value starts in the current window, if the tokenizer is
   * between root values and could hand that value to another reader;
   * -1 otherwise.
   */
  rootValueIndex(): number {
    if (this.depth !== 0 || this.incomplete) return -1;
    if (this.current === Token.FIELD_NAME || this.pos >= this.end) return -1;
    return this.pos;
  }

  get window(): Uint8Array {
    return this.buf;
  }

  get windowEnd(): number {
    return this.end;
  }

  /**
   * Takes `count` root objects read by another reader, the last ending at
   * or before window index `pos`, as if this tokenizer had read them.
   */
  passRootObjects(pos: number, count: number): void {
    this.pos = pos;
    this.indexes[0] += count;
    this.current = Token.END_OBJECT;
  }

  /** A fresh state, its first byte at `offset` of the whole input. */
  startAt(offset: number): void {
    this.base = offset;
    this.pos = 0;
    this.save();
  }

  /** Remembers the current state as the one to roll back to. */
  save(): void {
    this.savedPos = this.base + this.pos;
    this.savedDepth = this.depth;
    for (let d = 0; d <= this.depth; d += 1) {
      this.savedTypes[d] = this.types[d];
      this.savedIndexes[d] = this.indexes[d];
      const seen = this.names[d];
      this.savedNames[d] = seen && seen.size > 0 ? [...seen] : null;
    }
    this.savedCurrent = this.current;
    this.savedPending = this.pending;
    this.savedIncomplete = this.incomplete;
  }

  /** Returns to the saved state (the bytes must still be in the buffer). */
  restore(): void {
    this.pos = this.savedPos - this.base;
    this.depth = this.savedDepth;
    for (let d = 0; d <= this.depth; d += 1) {
      this.types[d] = this.savedTypes[d];
      this.indexes[d] = this.savedIndexes[d];
      const saved = this.savedNames[d];
      this.names[d] = this.types[d] === OBJECT ? new Set(saved ?? []) : null;
    }
    this.current = this.savedCurrent;
    this.pending = this.savedPending;
    this.incomplete = this.savedIncomplete;
  }

  savedState(): TokenizerState {
    const n = this.savedDepth + 1;
    return {
      types: this.savedTypes.slice(0, n),
      indexes: this.savedIndexes.slice(0, n),
      names: this.savedNames.slice(0, n).map((s) => (s ? [...s] : null)),
      current: this.savedCurrent,
      pending: this.savedPending,
      incomplete: this.savedIncomplete,
    };
  }

  /** Loads a state from a checkpoint as the saved state at `offset`. */
  load(state: TokenizerState, offset: number): void {
    this.savedPos = offset;
    this.savedDepth = state.types.length - 1;
    state.types.forEach((t, d) => {
      this.savedTypes[d] = t;
      this.savedIndexes[d] = state.indexes[d];
      this.savedNames[d] = state.names[d];
    });
    this.savedCurrent = state.current;
    this.savedPending = state.pending;
    this.savedIncomplete = state.incomplete;
    this.base = offset;
    this.pos = 0;
    this.restore();
  }

  private afterName(): number {
    const token = this.pending;
    this.pending = Token.NONE;
    if (token === Token.START_ARRAY) this.push(ARRAY);
    else if (token === Token.START_OBJECT) this.push(OBJECT);
    this.current = token;
    return token;
  }

  private closeScope(type: number, token: number): number {
    if (this.types[this.depth] !== type) throw SYNTAX_ERROR;
    this.depth -= 1;
    this.current = token;
    return token;
  }

  private expectComma(): boolean {
    const index = ++this.indexes[this.depth];
    return this.types[this.depth] !== ROOT && index > 0;
  }

  private push(type: number): void {
    if (this.depth >= this.maxDepth) throw nestingTooDeep(this.maxDepth);
    const d = ++this.depth;
    this.types[d] = type;
    this.indexes[d] = -1;
    if (type !== OBJECT) {
      this.names[d] = null;
      return;
    }
    const seen = this.names[d];
    if (seen) seen.clear();
    else this.names[d] = new Set();
  }
}
