import { CliError } from './cliErrors.js';

/**
 * Reads a detector written the way the original's UI and docs describe
 * one: `function(field) by F over F partition F`, e.g.
 * `mean(responsetime) by airline` or `count over clientip`.
 */
export function parseDetector(text: string): Record<string, string> {
  const words = text.trim().split(/\s+/).filter((word) => word !== '');
  const head = /^([a-z_]+)(?:\(([^()]*)\))?$/.exec(words[0] ?? '');
  if (head === null) throw badDetector(text);

  const detector: Record<string, string> = { function: head[1] };
  if (head[2] !== undefined && head[2].trim() !== '') {
    detector.field_name = head[2].trim();
  }

  for (let i = 1; i < words.length; i += 2) {
    const key = CLAUSES[words[i].toLowerCase()];
    const value = words[i + 1];
    if (key === undefined || value === undefined) throw badDetector(text);
    detector[key] = value;
  }
  return detector;
}

const CLAUSES: Record<string, string> = {
  by: 'by_field_name',
  over: 'over_field_name',
  partition: 'partition_field_name',
  partitionfield: 'partition_field_name',
};

function badDetector(text: string): CliError {
  return new CliError(`cannot read detector '${text}': write it as `
    + "'function(field) by F over F partition F', e.g. "
    + "'mean(responsetime) by airline'");
}

/** A detector back in the same words, for messages. */
export function describeDetector(detector: Record<string, unknown>): string {
  const field = detector.field_name ? `(${detector.field_name})` : '';
  const clauses = [
    ['by', detector.by_field_name], ['over', detector.over_field_name],
    ['partition', detector.partition_field_name],
  ].filter(([, name]) => typeof name === 'string')
    .map(([word, name]) => ` ${word} ${name}`);
  return `${detector.function}${field}${clauses.join('')}`;
}
