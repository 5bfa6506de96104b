// Runs osls with its per-user state kept inside the project, so packaging
// works where HOME is read-only or shared, and leaves nothing behind in it.
// osls caches its compiled configuration schema under ~/.serverless and
// may write a health-status file there; nothing else, and no credentials
// are read for `package` or `print`. Arguments pass through:
// `node scripts/package.mjs package --stage dev`.
//
// Any other command (deploy, remove, info) keeps the real HOME: the AWS
// SDK finds credentials, profiles and SSO tokens under ~/.aws.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const oslsHome = join(projectDir, '.serverless-home');

mkdirSync(oslsHome, { recursive: true });
// The folder ignores itself, so git never offers to add the cache.
writeFileSync(join(oslsHome, '.gitignore'), '*\n');

const require = createRequire(import.meta.url);
const oslsBin = join(dirname(require.resolve('osls/package.json')), 'bin',
  'serverless.js');

const args = process.argv.slice(2);
const offline = args[0] === 'package' || args[0] === 'print';
const env = offline
  ? { ...process.env, HOME: oslsHome, SLS_SCHEMA_CACHE_BASE_DIR: oslsHome }
  : process.env;
const result = spawnSync(process.execPath, [oslsBin, ...args], {
  cwd: projectDir,
  stdio: 'inherit',
  env,
});

process.exit(result.status ?? 1);
