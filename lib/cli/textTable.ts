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
  return typeof value === 'number' ? new Date(value).toISOString() : '-';
}

/** The data counts as readable rows, in the API's order. */
export function dataCountsRows(
  counts: Record<string, unknown>,
): [string, string][] {
  return [
    ['processed records', formatCount(counts.processed_record_count)],
    ['processed fields', formatCount(counts.processed_field_count)],
    ['input bytes', formatCount(counts.input_bytes)],
    ['input fields', formatCount(counts.input_field_count)],
    ['input records', formatCount(counts.input_record_count)],
    ['invalid dates', formatCount(counts.invalid_date_count)],
    ['missing fields', formatCount(counts.missing_field_count)],
    ['out of order', formatCount(counts.out_of_order_timestamp_count)],
    ['buckets', formatCount(counts.bucket_count)],
    ['empty buckets', formatCount(counts.empty_bucket_count)],
    ['sparse buckets', formatCount(counts.sparse_bucket_count)],
    ['earliest record', formatTime(counts.earliest_record_timestamp)],
    ['latest record', formatTime(counts.latest_record_timestamp)],
    ['last data', formatTime(counts.last_data_time)],
  ];
}
