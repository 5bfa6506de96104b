import { SingleBar } from 'cli-progress';

/** What a long run reports as it goes. */
export interface Progress {
  update(bytes: number, records: number): void;
  stop(): void;
}

const QUIET: Progress = { update() {}, stop() {} };

/**
 * A bar of bytes, records and rate on a terminal; nothing at all when
 * stderr is a file or a pipe, so logs and scripts stay clean.
 */
export function startProgress(
  stream: NodeJS.WritableStream | undefined, totalBytes: number | undefined,
  label: string,
): Progress {
  if (stream === undefined) return QUIET;

  const startedMs = Date.now();
  const bar = new SingleBar({
    stream,
    format: `${label} {bar} {percentage}% | {done} of {size} | `
      + '{records} records | {rate}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 20,
  });
  const total = totalBytes ?? 0;
  bar.start(total, 0, {
    done: formatBytes(0), size: totalBytes ? formatBytes(total) : '?',
    records: 0, rate: '-',
  });

  return {
    update(bytes, records) {
      const seconds = Math.max(0.001, (Date.now() - startedMs) / 1000);
      bar.update(Math.min(bytes, total), {
        done: formatBytes(bytes),
        records: records.toLocaleString('en-US'),
        rate: `${formatBytes(bytes / seconds)}/s`,
      });
    },
    stop() {
      bar.stop();
    },
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
