/**
 * Finds the ends of rows in delimited (CSV) data, so a file can be cut
 * between rows and never inside a quoted value that spans lines. The
 * first row is the header, which every part must repeat.
 */

const NEWLINE = 0x0a;

export class CsvBoundaries {
  private inQuotes = false;
  /** Bytes seen on the current row that are not line ending blanks. */
  private rowHasContent = false;

  constructor(private readonly quote: number) {}

  /**
   * `offset` is the absolute position of `chunk[0]`. Calls `onRow` with
   * the offset after each row's newline.
   */
  scan(
    chunk: Uint8Array, offset: number, onRow: (cut: number) => void,
  ): void {
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i];
      // A doubled quote inside a quoted value toggles twice: no change.
      if (byte === this.quote) this.inQuotes = !this.inQuotes;
      if (byte === NEWLINE && !this.inQuotes) {
        if (this.rowHasContent) onRow(offset + i + 1);
        this.rowHasContent = false;
        continue;
      }
      if (byte !== 0x0d) this.rowHasContent = true;
    }
  }

  /** Whether an unterminated last row holds anything. */
  get hasOpenRow(): boolean {
    return this.rowHasContent;
  }
}

/**
 * The header line of delimited data, newline included, or undefined
 * while no complete line has arrived. A quoted header that spans lines
 * is not supported: its first line is taken as the whole header.
 */
export function headerLine(bytes: Uint8Array): Uint8Array | undefined {
  const newline = bytes.indexOf(NEWLINE);
  return newline < 0 ? undefined : bytes.subarray(0, newline + 1);
}
