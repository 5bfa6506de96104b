/**
 * The job's input fields as the fast path looks them up: each full dotted
 * path as bytes, in an open-addressing table keyed by the FNV-1a hash of
 * the path, which the fast path computes as it reads a name.
 */

export const FNV_BASIS = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

function pathHash(bytes: Uint8Array): number {
  let h = FNV_BASIS;
  for (let i = 0; i < bytes.length; i += 1) {
    h = Math.imul(h ^ bytes[i], FNV_PRIME);
  }
  return h;
}

export class WantedPaths {
  private readonly paths: Uint8Array[];
  private readonly hashes: Int32Array;
  /** Open addressing on the path hash; a slot holds index + 1. */
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(fieldPaths: readonly string[]) {
    const encoder = new TextEncoder();
    this.paths = fieldPaths.map((path) => encoder.encode(path));
    this.hashes = Int32Array.from(this.paths, (w) => pathHash(w));
    let size = 8;
    while (size < 4 * fieldPaths.length) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.hashes.forEach((h, index) => {
      let slot = h & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = index + 1;
    });
  }

  /**
   * The index of the path made of `prefix[0, prefixLength)` and the name
   * `buf[nameStart, nameEnd)`, whose hash is `ph`; -1 when not wanted.
   */
  lookup(
    ph: number, prefix: Uint8Array, prefixLength: number, buf: Uint8Array,
    nameStart: number, nameEnd: number,
  ): number {
    let slot = ph & this.mask;
    for (;;) {
      const entry = this.table[slot];
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.hashes[index] === ph && this.matches(index, prefix,
        prefixLength, buf, nameStart, nameEnd)) return index;
      slot = (slot + 1) & this.mask;
    }
  }

  private matches(
    index: number, prefix: Uint8Array, prefixLength: number,
    buf: Uint8Array, nameStart: number, nameEnd: number,
  ): boolean {
    const path = this.paths[index];
    if (path.length !== prefixLength + nameEnd - nameStart) return false;
    for (let i = 0; i < prefixLength; i += 1) {
      if (path[i] !== prefix[i]) return false;
    }
    for (let i = nameStart; i < nameEnd; i += 1) {
      if (path[prefixLength + i - nameStart] !== buf[i]) return false;
    }
    return true;
  }
}
