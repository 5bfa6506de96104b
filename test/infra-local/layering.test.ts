import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports, statically or with import(). */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const found = text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g);
  return [...found].map((match) => match[1]);
}

test('lib/ loads neither a local stand-in nor infra/ nor functions/', () => {
  const offending = sourceFiles(join(projectDir, 'lib')).flatMap((path) =>
    importsOf(path)
      .filter((spec) => /^(dynalite|s3rver)(\/|$)/.test(spec)
        || /(^|\/)(infra|functions)\//.test(spec))
      .map((spec) => `${relative(projectDir, path)} imports ${spec}`));

  expect(offending).toEqual([]);
});
