/**
 * The lexical half of the JSON tokenizer: whitespace and comments, numbers,
 * literals, and the way the original swallows a malformed token. Strings
 * and names are in JsonStrings, which this class extends.
 */
import { isDigit, isSpace } from './asciiBytes.js';
import {
  NEED_MORE, SYNTAX_ERROR, isJavaIdentifierPart, isJavaIdentifierStart,
  utf8Needed,
} from './jsonBytes.js';
import { JsonStrings } from './jsonStrings.js';
import { Token } from './jsonToken.js';

/** The original cuts the text of a bad token at this many characters. */
const MAX_ERROR_TOKEN_LENGTH = 256;

export class JsonScanner extends JsonStrings {
  private numberStart = 0;
  private numberEnd = 0;

  protected numberText(): string {
    return this.latin1(this.numberStart, this.numberEnd);
  }

  /** Next byte that is not whitespace or a comment; -1 at the end. */
  protected skipWhitespaceOrEnd(): number {
    for (;;) {
      if (this.pos >= this.end) {
        if (this.final) return -1;
        throw NEED_MORE;
      }
      const c = this.buf[this.pos++];
      if (c > 0x20) {
        if (c !== 0x2f) return c;
        this.skipComment();
      } else if (!isSpace(c)) {
        throw SYNTAX_ERROR;
      }
    }
  }

  /** As skipWhitespaceOrEnd, but the end of input is an error here. */
  protected skipWhitespace(): number {
    const c = this.skipWhitespaceOrEnd();
    if (c < 0) throw SYNTAX_ERROR;
    return c;
  }

  /** Reads the colon after a field name; returns the value's first byte. */
  protected skipColon(): number {
    const c = this.skipWhitespace();
    if (c !== 0x3a) throw SYNTAX_ERROR;
    return this.skipWhitespace();
  }

  /** Dispatches on the first byte of a value (already consumed). */
  protected parseValue(c: number, inRoot: boolean): number {
    switch (c) {
      case 0x22:
        this.incomplete = true;
        return Token.STRING;
      case 0x5b:
        return Token.START_ARRAY;
      case 0x7b:
        return Token.START_OBJECT;
      case 0x74:
        this.matchWord('true', 1);
        return Token.TRUE;
      case 0x66:
        this.matchWord('false', 1);
        return Token.FALSE;
      case 0x6e:
        this.matchWord('null', 1);
        return Token.NULL;
      case 0x2d:
        return this.parseNumber(c, inRoot);
      default:
        if (isDigit(c)) return this.parseNumber(c, inRoot);
        return this.unexpectedValue(c);
    }
  }

  private unexpectedValue(c: number): never {
    switch (c) {
      case 0x4e: // NaN is recognised, then refused
        this.matchWord('NaN', 1);
        throw SYNTAX_ERROR;
      case 0x49:
        this.matchWord('Infinity', 1);
        throw SYNTAX_ERROR;
      case 0x2b:
        // A leading plus: the original reads the byte after it before
        // refusing. Not confirmed for `+I` (it may try "Infinity").
        this.requireByte();
        throw SYNTAX_ERROR;
      case 0x2e: case 0x5d: case 0x2c: case 0x7d: case 0x27:
        throw SYNTAX_ERROR;
      default:
        // The raw byte is taken as a Latin-1 character here, as it is in
        // the original, so most UTF-8 lead bytes start a "token".
        if (isJavaIdentifierStart(c)) this.swallowToken(1);
        throw SYNTAX_ERROR;
    }
  }

  /**
   * Matches the rest of a literal; a mismatch or a letter right after it
   * swallows the token as the original does.
   */
  private matchWord(word: string, from: number): void {
    for (let i = from; i < word.length; i += 1) {
      if (this.pos >= this.end) {
        if (!this.final) throw NEED_MORE;
        this.swallowToken(i);
      }
      if (this.buf[this.pos] !== word.charCodeAt(i)) this.swallowToken(i);
      this.pos += 1;
    }
    if (this.pos >= this.end) {
      if (this.final) return;
      throw NEED_MORE;
    }
    const c = this.buf[this.pos];
    if (c < 0x30 || c === 0x5d || c === 0x7d) return;
    if (c < 0x80) {
      if (isJavaIdentifierPart(c)) this.swallowToken(word.length);
      return;
    }
    // The original decodes this character starting from its lead byte as
    // if it were a continuation byte, so any non-ASCII byte here is an
    // error; a lead byte is consumed, a stray continuation byte is not.
    if (utf8Needed(c) >= 0) this.pos += 1;
    throw SYNTAX_ERROR;
  }

  /**
   * The original's report of an unrecognised token: it consumes identifier
   * characters, and the first character that is not one, then fails.
   */
  private swallowToken(length: number): never {
    let n = length;
    for (;;) {
      if (this.pos >= this.end) {
        if (this.final) throw SYNTAX_ERROR;
        throw NEED_MORE;
      }
      const c = this.decodeCharForError(this.buf[this.pos++]);
      if (!isJavaIdentifierPart(c)) break;
      n += 1;
      if (n >= MAX_ERROR_TOKEN_LENGTH) break;
    }
    throw SYNTAX_ERROR;
  }

  private parseNumber(first: number, inRoot: boolean): number {
    this.numberStart = this.pos - 1;
    let c = first;
    if (c === 0x2d) {
      c = this.requireByte();
      // `-.5`, `-x` and `-Infinity` are all refused; the byte is consumed.
      if (!isDigit(c)) throw SYNTAX_ERROR;
    }
    if (c === 0x30) {
      if (this.pos >= this.end) return this.numberAtEnd();
      if (isDigit(this.buf[this.pos])) throw SYNTAX_ERROR;
    }
    for (;;) {
      if (this.pos >= this.end) return this.numberAtEnd();
      c = this.buf[this.pos++];
      if (!isDigit(c)) break;
    }
    if (c === 0x2e) {
      let fraction = 0;
      for (;;) {
        if (this.pos >= this.end) {
          if (fraction === 0 && this.final) throw SYNTAX_ERROR;
          return this.numberAtEnd();
        }
        c = this.buf[this.pos++];
        if (!isDigit(c)) break;
        fraction += 1;
      }
      if (fraction === 0) throw SYNTAX_ERROR;
    }
    if (c === 0x65 || c === 0x45) {
      c = this.requireByte();
      if (c === 0x2d || c === 0x2b) c = this.requireByte();
      let exponent = 0;
      while (isDigit(c)) {
        exponent += 1;
        if (this.pos >= this.end) return this.numberAtEnd();
        c = this.buf[this.pos++];
      }
      if (exponent === 0) throw SYNTAX_ERROR;
    }
    this.pos -= 1;
    this.numberEnd = this.pos;
    if (inRoot) this.verifyRootSpace(c);
    return Token.NUMBER;
  }

  private numberAtEnd(): number {
    if (!this.final) throw NEED_MORE;
    this.numberEnd = this.pos;
    return Token.NUMBER;
  }

  /** A number at the root must be followed by whitespace. */
  private verifyRootSpace(c: number): void {
    if (c === 0x0d) return;
    this.pos += 1;
    if (c === 0x20 || c === 0x09 || c === 0x0a) return;
    throw SYNTAX_ERROR;
  }

  private skipComment(): void {
    const c = this.requireByte();
    if (c === 0x2f) {
      this.skipLineComment();
      return;
    }
    if (c !== 0x2a) throw SYNTAX_ERROR;
    for (;;) {
      const b = this.requireByte();
      if (b === 0x2a) {
        if (this.pos >= this.end && !this.final) throw NEED_MORE;
        if (this.pos < this.end && this.buf[this.pos] === 0x2f) {
          this.pos += 1;
          return;
        }
      } else {
        this.checkCommentByte(b);
      }
    }
  }

  private skipLineComment(): void {
    for (;;) {
      if (this.pos >= this.end) {
        if (this.final) return;
        throw NEED_MORE;
      }
      const b = this.buf[this.pos++];
      if (b === 0x0a || b === 0x0d) return;
      this.checkCommentByte(b);
    }
  }

  /** Control characters and broken UTF-8 are errors inside comments too. */
  private checkCommentByte(b: number): void {
    if (b < 0x20) {
      if (b !== 0x09 && b !== 0x0a && b !== 0x0d) throw SYNTAX_ERROR;
      return;
    }
    if (b >= 0x80) this.skipUtf8(b);
  }
}
