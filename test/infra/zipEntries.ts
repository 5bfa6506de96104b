import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** One file of a zip archive, decompressed. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

// Signatures and offsets from the ZIP application note (APPNOTE.TXT),
// sections 4.3.7 (local header), 4.3.12 (central directory) and 4.3.16
// (end of central directory). Only what the packaged Lambda zips use:
// stored or deflated entries, no ZIP64, no encryption.
const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** Reads every file of a zip archive into memory. */
export function readZipEntries(zipPath: string): ZipEntry[] {
  const zip = readFileSync(zipPath);
  const end = findEndOfDirectory(zip);
  const entryCount = zip.readUInt16LE(end + 10);
  let cursor = zip.readUInt32LE(end + 16);

  const entries: ZipEntry[] = [];
  for (let index = 0; index < entryCount; index++) {
    if (zip.readUInt32LE(cursor) !== DIRECTORY_ENTRY) {
      throw new Error(`no central directory entry at ${cursor}`);
    }
    const method = zip.readUInt16LE(cursor + 10);
    const compressedSize = zip.readUInt32LE(cursor + 20);
    const nameLength = zip.readUInt16LE(cursor + 28);
    const extraLength = zip.readUInt16LE(cursor + 30);
    const commentLength = zip.readUInt16LE(cursor + 32);
    const localOffset = zip.readUInt32LE(cursor + 42);
    const name = zip.toString('utf8', cursor + 46, cursor + 46 + nameLength);

    const raw = localData(zip, localOffset, compressedSize);
    entries.push({ name, data: decompress(raw, method, name) });

    cursor += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes.
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let offset = zip.length - 22; offset >= earliest; offset--) {
    if (zip.readUInt32LE(offset) === END_OF_DIRECTORY) return offset;
  }
  throw new Error('not a zip archive: no end of central directory');
}

function localData(zip: Buffer, offset: number, size: number): Buffer {
  if (zip.readUInt32LE(offset) !== LOCAL_HEADER) {
    throw new Error(`no local file header at ${offset}`);
  }
  // The local header repeats name and extra field with their own lengths.
  const nameLength = zip.readUInt16LE(offset + 26);
  const extraLength = zip.readUInt16LE(offset + 28);
  const start = offset + 30 + nameLength + extraLength;
  return zip.subarray(start, start + size);
}

function decompress(raw: Buffer, method: number, name: string): Buffer {
  if (method === STORED) return Buffer.from(raw);
  if (method === DEFLATED) return inflateRawSync(raw);
  throw new Error(`${name}: unsupported compression method ${method}`);
}
