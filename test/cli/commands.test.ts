import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { cli } from './cliHarness.js';

// Every command `ml-intake --help` shows, run once against the local
// stack; post and keys have files of their own, serve is run as the built
// command in errors.test.ts.
let stack: TestStack;
const at = (...args: string[]) => cli(['--url', stack.url, ...args]);

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('the help', () => {
  test('lists each command with what it does', async () => {
    const { code, stdout } = await cli(['--help']);

    expect(code).toBe(0);
    const commands = stdout.slice(stdout.indexOf('Commands:'))
      .split('\n').slice(1).filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/\s{2,}/));
    expect(commands.map(([usage]) => usage.split(' ')[0]))
      .toEqual(['post', 'stats', 'jobs', 'keys', 'serve', 'help']);
    for (const [, description] of commands) {
      expect(description).toBeTruthy();
    }
  });

  test('describes every subcommand of jobs and keys', async () => {
    for (const group of ['jobs', 'keys']) {
      const { stdout } = await cli([group, '--help']);
      const lines = stdout.slice(stdout.indexOf('Commands:')).split('\n')
        .slice(1).filter((line) => /^ {2}\S/.test(line));
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(line.trim()).toMatch(/\S\s{2,}\S/);
    }
  });

  test('shows sizes in the units the user types', async () => {
    const { stdout } = await cli(['post', '--help']);

    expect(stdout).toMatch(/--max-bytes <size>.*\(default: 100mb\)/);
  });

  test('a usage error is one line that points to the help', async () => {
    expect(await cli(['jobs', 'open'])).toEqual({ code: 1, stdout: '',
      stderr: "ml-intake: missing required argument 'job_id'; see "
        + "'ml-intake jobs open --help'\n" });
    expect(await cli(['nosuch'])).toEqual({ code: 1, stdout: '',
      stderr: "ml-intake: unknown command 'nosuch'; see 'ml-intake "
        + "--help'\n" });
  });
});

describe('the job commands', () => {
  test('create, list, open, stats, close and delete a job', async () => {
    const created = await at('jobs', 'create', 'lifecycle', '--bucket-span',
      '15m', '--detector', 'count by airline');
    expect(created).toEqual({ code: 0, stderr: '', stdout: 'created job '
      + 'lifecycle: bucket span 15m, count by airline; open it with '
      + "'ml-intake jobs open lifecycle'\n" });

    const listed = await at('jobs', 'list');
    expect(listed.stdout).toMatch(/^lifecycle\s+closed\s+0\s/m);

    expect((await at('jobs', 'open', 'lifecycle')).stdout)
      .toBe('opened job lifecycle\n');
    expect((await at('jobs', 'list')).stdout)
      .toMatch(/^lifecycle\s+opened\s+0\s/m);

    const stats = await at('stats', 'lifecycle');
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/processed records\s+0\n/);

    const refused = await at('jobs', 'delete', 'lifecycle');
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n')).toHaveLength(2);

    expect((await at('jobs', 'close', 'lifecycle')).stdout)
      .toBe('closed job lifecycle\n');
    expect(await at('jobs', 'delete', 'lifecycle')).toEqual({ code: 0,
      stderr: '', stdout: 'deleted job lifecycle\n' });
    expect((await at('jobs', 'list')).stdout).toBe(
      "no jobs yet; create one with 'ml-intake jobs create'\n");
  });
});
