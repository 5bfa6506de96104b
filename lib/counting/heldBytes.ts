/**
 * The bytes a streaming reader holds between chunks: the start of a record
 * that a chunk edge cut, and whatever came after it.
 *
 * A record cut by an edge is read again from its start once more bytes
 * have come. To keep the total work linear, it is read again only when the
 * held bytes have doubled (or the input ended); the held bytes never grow
 * past one record plus one chunk before the size limit is checked.
 */
export class HeldBytes {
  /** The held bytes are `bytes[0, length)`; the array is replaced to grow. */
  bytes = new Uint8Array(4096);
  length = 0;
  /** Held byte count at which a record that ran out is read again. */
  private retryAtHeldBytes = 0;

  constructor(private readonly maxRecordBytes: number) {}

  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.bytes.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length = needed;
  }

  /** Holds `source[from, to)` instead of what was held. */
  replace(source: Uint8Array, from: number, to: number): void {
    this.length = 0;
    this.append(source.subarray(from, to));
  }

  /** Drops the first `count` held bytes. */
  dropFront(count: number): void {
    if (count === 0) return;
    this.bytes.copyWithin(0, count, this.length);
    this.length -= count;
  }

  /**
   * Whether the held bytes should wait for more before being read: the
   * last record ran out and they have neither doubled since nor passed
   * the size limit (past it, reading again reports the record too large).
   */
  waiting(): boolean {
    return this.length < this.retryAtHeldBytes
      && this.length <= this.maxRecordBytes;
  }

  /**
   * The last record ran out of bytes after reading `pending` of them; it
   * is read again when the held bytes have doubled. False when it is
   * already larger than the size limit.
   */
  ranOut(pending: number): boolean {
    if (pending > this.maxRecordBytes) return false;
    this.retryAtHeldBytes = 2 * pending;
    return true;
  }
}
