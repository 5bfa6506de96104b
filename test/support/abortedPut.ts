import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openSocket } from './rawHttp.js';

/**
 * The files of a folder, each with its size and time, by name; one
 * removed between the listing and its stat is left out.
 */
export async function filesOf(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const files = await Promise.all(names.sort().map(async (name) => {
    const found = await stat(join(folder, name)).catch(() => undefined);
    return found && `${name} ${found.size} ${found.mtimeMs}`;
  }));
  return files.filter((file): file is string => file !== undefined);
}

/** Whether `done` came true, asked every 10 ms up to `tries` times. */
async function until(
  done: () => Promise<boolean>, tries: number,
): Promise<boolean> {
  for (let tried = 0; tried < tries; tried += 1) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/**
 * A PUT to s3rver at `s3Url` that declares 20,000 bytes and sends 5,005
 * (455 lines of 11 bytes), then drops the connection once the server has
 * written some of them to disk: once a file of `folder`, where s3rver
 * keeps the key, changed. Resolves when the folder holds the same names
 * as before (at once where nothing is cleaned up), or after a second.
 */
export async function abortedPut(
  s3Url: string, path: string, folder: string,
): Promise<void> {
  const before = await filesOf(folder);
  const socket = await openSocket(s3Url);
  socket.on('error', () => {});
  socket.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + 'Content-Length: 20000\r\n\r\n');
  socket.write('{"time":2}\n'.repeat(455));
  const written = await until(async () =>
    JSON.stringify(await filesOf(folder)) !== JSON.stringify(before), 500);
  if (!written) throw new Error('the server wrote none of the body');

  socket.destroy();

  const names = (files: string[]) => files.map((file) => file.split(' ')[0]);
  await until(async () => JSON.stringify(names(await filesOf(folder)))
    === JSON.stringify(names(before)), 100);
}
