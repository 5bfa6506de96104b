/**
 * A date pattern compiled for reading straight from bytes (timeBytes.ts):
 * fixed-width numbers, numeric offsets, literals and English month and day
 * names, each as one step. Any other pattern compiles to null and its
 * records are left to the text parser.
 */
import { englishNames } from './datePattern.js';
import { mayCacheDates } from './dateStarts.js';

// What each step does.
export const OP_LITERAL = 0;
export const OP_YEAR = 1;
export const OP_MONTH = 2;
export const OP_DAY = 3;
export const OP_HOUR = 4;
export const OP_MINUTE = 5;
export const OP_SECOND = 6;
export const OP_NANO = 7;
export const OP_OFFSET = 8;
export const OP_OFFSET_COLON = 9;
export const OP_MONTH_NAME = 10;
export const OP_DAY_NAME = 11;

/** One piece of a compiled pattern. */
export interface Step {
  op: number;
  /**
   * Bytes a number, fraction or offset takes; 1 for a literal; 0 for a
   * name, whose width varies.
   */
  width: number;
  /** For literals: the byte to match. */
  byte: number;
}

/** Names as bytes, longest first, and the value each one stands for. */
export interface NameTable {
  readonly texts: readonly Uint8Array[];
  readonly values: Int32Array;
  readonly longest: number;
}

const NUMBER_RUNS: Record<string, number> = {
  yyyy: OP_YEAR, MM: OP_MONTH, dd: OP_DAY, HH: OP_HOUR, mm: OP_MINUTE,
  ss: OP_SECOND,
};
const OFFSET_RUNS: Record<string, number> = {
  Z: OP_OFFSET, ZZ: OP_OFFSET, ZZZ: OP_OFFSET, XX: OP_OFFSET,
  xx: OP_OFFSET, XXX: OP_OFFSET_COLON, xxx: OP_OFFSET_COLON,
};
/** Lenient parsing reads every style of name for each of these runs. */
const NAME_RUNS: Record<string, number> = {
  MMM: OP_MONTH_NAME, MMMM: OP_MONTH_NAME, E: OP_DAY_NAME, EE: OP_DAY_NAME,
  EEE: OP_DAY_NAME, EEEE: OP_DAY_NAME,
};

export const MONTH_NAMES = nameTable('month');
export const DAY_NAMES = nameTable('dayOfWeek');

/**
 * The pattern as steps, or null when it has anything else. Each number
 * must be followed by a non-digit literal, an offset, a name or the end,
 * so that reading exactly its width is what a lenient parser reads.
 */
export function compilePattern(pattern: string): Step[] | null {
  const steps: Step[] = [];
  const letters = new Set<string>();
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < pattern.length && pattern[j] === ch) j += 1;
      const step = letterStep(pattern.slice(i, j));
      if (step === null) return null;
      steps.push(step);
      letters.add(ch);
      i = j;
    } else if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      // Quoted quotes and empty quotes are left to the text parser.
      if (end <= i + 1) return null;
      for (const lit of pattern.slice(i + 1, end)) steps.push(literal(lit));
      i = end + 1;
    } else {
      if ('[]{}#'.includes(ch)) return null;
      steps.push(literal(ch));
      i += 1;
    }
  }
  return mayCacheDates(letters) && isReadable(steps) ? steps : null;
}

function letterStep(run: string): Step | null {
  const number = NUMBER_RUNS[run];
  if (number !== undefined) return { op: number, width: run.length, byte: 0 };
  const offset = OFFSET_RUNS[run];
  if (offset !== undefined) {
    return { op: offset, width: offset === OP_OFFSET ? 5 : 6, byte: 0 };
  }
  if (/^S{1,9}$/.test(run)) return { op: OP_NANO, width: run.length, byte: 0 };
  const name = NAME_RUNS[run];
  const table = name === OP_MONTH_NAME ? MONTH_NAMES : DAY_NAMES;
  if (name !== undefined && table !== null) {
    return { op: name, width: 0, byte: 0 };
  }
  return null;
}

function literal(ch: string): Step {
  return { op: OP_LITERAL, width: 1, byte: ch.charCodeAt(0) };
}

const isNumber = (op: number) => op >= OP_YEAR && op <= OP_NANO;
const isOffset = (op: number) => op === OP_OFFSET || op === OP_OFFSET_COLON;
const isName = (op: number) => op === OP_MONTH_NAME || op === OP_DAY_NAME;
const isLetter = (byte: number) => /[A-Za-z]/.test(String.fromCharCode(byte));

/**
 * What may follow what. A name is followed by no letter, so that no
 * longer name could have been read where a shorter one was, even when
 * only the bytes up to the end of the date are compared (timeBytes.ts).
 */
function isReadable(steps: Step[]): boolean {
  if (steps.filter((s) => isOffset(s.op)).length > 1) return false;
  return steps.every((step, k) => {
    const next = steps[k + 1];
    if (step.op === OP_LITERAL) {
      return step.byte < 0x80 && (step.byte < 0x30 || step.byte > 0x39);
    }
    if (isName(step.op)) {
      if (next === undefined) return true;
      return next.op === OP_LITERAL ? !isLetter(next.byte) : !isName(next.op);
    }
    if (next === undefined || next.op === OP_LITERAL) return true;
    return isNumber(step.op) && (isOffset(next.op) || isName(next.op));
  });
}

/** The names of a field as bytes; null unless they are ASCII letters. */
function nameTable(field: 'month' | 'dayOfWeek'): NameTable | null {
  const names = englishNames(field);
  if (!names.every(({ text }) => /^[A-Za-z]{2,}$/.test(text))) return null;
  return {
    texts: names.map(({ text }) => Uint8Array.from(text, (c) =>
      c.charCodeAt(0))),
    values: Int32Array.from(names, ({ value }) => value),
    longest: Math.max(...names.map(({ text }) => text.length)),
  };
}
