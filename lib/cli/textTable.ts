import { isoTimeText } from '../counting/index.js';
import { COUNTERS, TIMESTAMPS } from './dataCountsSum.js';

/** Plain-text tables for a terminal: aligned columns, no borders. */

/** Two columns: a label and a value, values right-aligned. */
export function keyValueTable(rows: readonly [string, string][]): string {
  const labelWidth = Math.max(0, ...rows.map(([label]) => label.length));
  const valueWidth = Math.max(0, ...rows.map(([, value]) => value.length));
  return rows.map(([label, value]) =>
    `${label.padEnd(labelWidth)}  ${value.padStart(valueWidth)}`)
    .join('\n') + '\n';
}

/** A header row, then one row per item, left-aligned. */
export function columnsTable(
  header: readonly string[], rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, i) => Math.max(title.length,
    ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
    .join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatCount(value: unknown): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : '-';
}

export function formatTime(value: unknown): string {
  return typeof value === 'number' ? isoTimeText(value) : '-';
}

/**
 * The data counts as readable rows: every counter, then the timestamps
 * present, each in the API's order, labelled with the words of its name
 * (`invalid_date_count` reads "invalid dates").
 */
export function dataCountsRows(
  counts: Record<string, unknown>,
): [string, string][] {
  return [
    ...COUNTERS.map((name): [string, string] =>
      [labelOf(name), formatCount(counts[name])]),
    ...TIMESTAMPS.filter((name) => typeof counts[name] === 'number')
      .map((name): [string, string] =>
        [labelOf(name), formatTime(counts[name])]),
  ];
}

function labelOf(name: string): string {
  const words = name.split('_');
  const last = words.at(-1);
  if (last === 'timestamp') words.pop();
  if (last === 'count') {
    words.pop();
    words.push(`${words.pop()}s`);
  }
  return words.join(' ');
}

/** `1 record`, `2 records`: a count with its noun. */
export function countOf(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
