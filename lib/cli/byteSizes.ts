import { InvalidArgumentError } from 'commander';

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, kb: KiB, mb: MiB, gb: 1024 * MiB,
};

/** `5mb`, `512kb` or a plain number of bytes (units of 1024). */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b)?$/i.exec(text.trim());
  const bytes = match === null ? NaN
    : Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? '').toLowerCase()]);
  if (!Number.isSafeInteger(bytes) || bytes < 16) {
    throw new InvalidArgumentError('Give a size such as 5mb, 512kb or '
      + 'a number of bytes (at least 16).');
  }
  return bytes;
}

/** A size as `parseSize` reads it back: `1mb`, `64kb` or bytes. */
export function formatSize(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB}mb`;
  if (bytes % KiB === 0) return `${bytes / KiB}kb`;
  return String(bytes);
}
