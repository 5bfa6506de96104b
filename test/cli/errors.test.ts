import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run as runCli } from '../../lib/cli/index.js';
import { loadLocalSettings } from '../../lib/config.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { sharedDataDir } from '../support/sharedData.js';
import { cli, startProxy } from './cliHarness.js';

const run = promisify(execFile);

let stack: TestStack;
let dir: string;
let dataFile: string;
// Two records of job "errs": time in epoch seconds, one analysed field.
const DATA = '{"time":1449446400,"value":"1"}\n'
  + '{"time":1449446460,"value":"2"}\n';

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
  dataFile = join(dir, 'data.ndjson');
  await writeFile(dataFile, DATA);
  for (const jobId of ['errs', 'formats']) {
    const created = await cli(['--url', stack.url, 'jobs', 'create', jobId,
      '--detector', 'mean(value)', '--time-format', 'epoch']);
    expect(created.code).toBe(0);
  }
  expect((await cli(['--url', stack.url, 'jobs', 'open', 'formats'])).code)
    .toBe(0);
});

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('errors of ml-intake post', () => {
  test('a JSON file sent to a CSV job says which format the job reads',
    async () => {
      for (const args of [
        ['jobs', 'create', 'csvjob', '--detector', 'mean(value)',
          '--time-format', 'epoch', '--format', 'delimited',
          '--delimiter', ','],
        ['jobs', 'open', 'csvjob']]) {
        expect((await cli(['--url', stack.url, ...args])).code).toBe(0);
      }

      const result = await cli(['--url', stack.url, 'post', 'csvjob',
        dataFile]);

      // The first line is read as the CSV header, in which `value` is not.
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp('^ml-intake: part 1 failed: '
        + "400 illegal_argument_exception: Field configured for analysis "
        + "'value' is not in the CSV header .*; job csvjob reads CSV with "
        + "the delimiter ',' \\(format delimited\\): check that the file is "
        + 'in that format; 0 parts committed before it'));
    });

  test('a closed job gives one line and exit code 1', async () => {
    const result = await cli(['--url', stack.url, 'post', 'errs',
      dataFile]);

    expect(result).toEqual({
      code: 1, stdout: '',
      stderr: 'ml-intake: part 1 failed: 409 status_exception: Cannot '
        + 'perform requested action because job [errs] is not open; 0 '
        + 'parts committed before it: 0 bytes, 0 records; resume with: '
        + `ml-intake post errs ${dataFile} --from-byte 0\n`,
    });
  });

  test('a CSV file sent to a JSON job names the format the job reads',
    async () => {
      const csv = join(sharedDataDir, 'farequote.csv');

      const result = await cli(['--url', stack.url, 'post', 'formats', csv,
        '--max-bytes', '1mb']);

      expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
        + 'part 1 failed: the data from byte 0 on cannot be read: The input '
        + 'JSON data is malformed; job formats reads JSON (format '
        + 'xcontent), and the file may be in another format; 0 parts '
        + 'committed before it: 0 bytes, 0 records; resume with: ml-intake '
        + `post formats ${csv} --from-byte 0\n` });
    });

  test('a record larger than an upload stops with what was committed',
    async () => {
      // Three lines of 32 bytes fit in 99 bytes (one of the 100 is kept
      // for a bracket); the fourth line is 191 bytes.
      const file = join(dir, 'long.ndjson');
      await writeFile(file, DATA + '{"time":1449446520,"value":"3"}\n'
        + `{"time":1449446580,"value":"${'x'.repeat(160)}"}\n`);

      const result = await cli(['--url', stack.url, 'post', 'formats', file,
        '--max-bytes', '100']);

      expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
        + 'part 2 failed: no record boundary to cut at within the 100 bytes '
        + 'of an upload from byte 96; job formats reads JSON (format '
        + 'xcontent), and the file may be in another format; if it is not, '
        + 'a record is larger than an upload may be: raise --max-bytes or '
        + 'use --via-s3; 1 part committed before it: 96 bytes, 3 records; '
        + `resume with: ml-intake post formats ${file} --from-byte 96\n` });
    });

  test('a reason that ends in a period is not followed by a semicolon',
    async () => {
      // The second record is cut short: the server refuses the upload.
      const file = join(dir, 'cut.ndjson');
      await writeFile(file, '{"time":1449446400,"value":"1"}\n{"time":');

      const result = await cli(['--url', stack.url, 'post', 'formats',
        file]);

      expect(result.stderr).toBe('ml-intake: part 1 failed: 400 '
        + 'parse_exception: The input JSON data is malformed; job formats '
        + 'reads JSON (format xcontent): check that the file is in that '
        + 'format; 0 parts committed before it: 0 bytes, 0 records; resume '
        + `with: ml-intake post formats ${file} --from-byte 0\n`);
    });

  test('a missing file gives one line and exit code 1', async () => {
    const missing = join(dir, 'nothing.ndjson');

    const result = await cli(['--url', stack.url, 'post', 'errs', missing]);

    expect(result).toEqual({
      code: 1, stdout: '', stderr: `ml-intake: no such file: ${missing}\n`,
    });
  });

  test('an unreachable server gives one line and exit code 1', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = await startProxy(stack.url, async () => undefined);
    const url = closed.url;
    await closed.close();

    const result = await cli(['--url', url, 'stats', '_all']);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`ml-intake: cannot reach the server at ${url}`
      + ' (ECONNREFUSED); is it running? Start one with \'ml-intake serve\'\n');
  });

  test.each([['127.0.0.1:9400', 'http://127.0.0.1:9400'],
    ['localhost:9400', 'http://localhost:9400'],
    ['ftp://127.0.0.1:9400', 'http://127.0.0.1:9400']])(
    'a server URL %s without http:// or https:// says so', async (url, fixed) => {
      const result = await cli(['--url', url, 'jobs', 'list']);

      expect(result).toEqual({ code: 1, stdout: '',
        stderr: `ml-intake: the server URL '${url}' needs http:// or `
          + `https:// in front, e.g. --url ${fixed}\n` });
    });

  test.each([['http://'], ['https:']])(
    'a server URL %s with no host says so', async (url) => {
      const result = await cli(['--url', url, 'jobs', 'list']);

      expect(result).toEqual({ code: 1, stdout: '',
        stderr: `ml-intake: the server URL '${url}' has no host; give one, `
          + 'e.g. --url http://127.0.0.1:9200\n' });
    });

  test.each([[[]], [['--via-s3']]])(
    'posting to an id no job can have gives the API\'s 400 (%j)',
    async (extra) => {
      const result = await cli(['--url', stack.url, 'post', 'BAD', dataFile,
        ...extra]);

      // Spec §12: the job id rules and their message.
      expect(result).toEqual({ code: 1, stdout: '',
        stderr: 'ml-intake: 400 status_exception: Invalid job_id; \'BAD\' '
          + 'can contain lowercase alphanumeric (a-z and 0-9), hyphens or '
          + 'underscores; must start and end with alphanumeric\n' });
    });
});

describe('the built command', () => {
  beforeAll(() => {
    execFileSync('node', ['scripts/build.mjs']);
  });

  test('posts a file and prints the counts as JSON', async () => {
    await cli(['--url', stack.url, 'jobs', 'open', 'errs']);

    const { stdout } = await run('node', ['dist/cli.mjs', '--url', stack.url,
      '--json', 'post', 'errs', dataFile]);

    // Two lines of 32 bytes ({"time":1449446400,"value":"1"} is 31 and
    // a newline); one analysed field (A = 1); 2 leaves - 1 per record.
    expect(JSON.parse(stdout)).toMatchObject({
      job_id: 'errs', processed_record_count: 2, processed_field_count: 2,
      input_bytes: 64, input_field_count: 2, input_record_count: 2,
    });
  });

  test('exits non-zero with one line and no stack trace', async () => {
    const failure = await run('node', ['dist/cli.mjs', '--url', stack.url,
      'post', 'errs', join(dir, 'nothing.ndjson')]).catch((error) => error);

    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe(
      `ml-intake: no such file: ${join(dir, 'nothing.ndjson')}\n`);
  });

  test('keys create --aws prints one line, without the AWS SDK\'s notice '
    + 'about Node versions', async () => {
    // The stack's own DynamoDB, which has no table of this name.
    const failure = await run('node', ['dist/cli.mjs', 'keys', 'create',
      '--aws', '--table', 'nosuch', '--region', 'us-east-1'], {
      env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl },
    }).catch((error) => error);

    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe('ml-intake: there is no table nosuch in '
      + 'us-east-1: deploy the stack first, and give the TableName and '
      + 'region it reports\n');
  });

  test('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8'));

    const { stdout } = await run('node', ['dist/cli.mjs', '--version']);

    expect(stdout).toBe(`${version}\n`);
  });

  test('serve with ML_AUTH=off on a host other than loopback says why in '
    + 'one line', async () => {
    const failure = await run('node', ['dist/cli.mjs', 'serve'], {
      env: { ...process.env, ML_AUTH: 'off', ML_HOST: '0.0.0.0', PORT: '0',
        S3_PORT: '0', ML_DATA_DIR: join(dir, 'never') },
    }).catch((error) => error);

    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe('ml-intake: ML_AUTH=off is refused on host '
      + '0.0.0.0: without API keys anyone who reaches the server could post '
      + 'data to and delete any job. Listen on loopback only (127.0.0.1 or '
      + '::1) or set ML_AUTH=on.\n');
  });

  test('serve starts the service and prints how to use its first key',
    async () => {
      const dataDir = join(dir, 'served');
      const server = spawn('node', ['dist/cli.mjs', 'serve'], {
        env: { ...process.env, PORT: '0', S3_PORT: '0',
          ML_DATA_DIR: dataDir, ML_AUTH: 'on' },
      });
      try {
        let output = '';
        let errors = '';
        server.stdout.on('data', (chunk: Buffer) => { output += chunk; });
        server.stderr.on('data', (chunk: Buffer) => { errors += chunk; });
        while (!/Use it with:/.test(output)) {
          await once(server.stdout, 'data');
        }
        const url = /ml-intake listening on (\S+) /.exec(output)![1];
        expect(output).toContain('Created the first API key (privilege: '
          + `all) in ${join(dataDir, 'api-key')}, readable by you only.`);

        const key = (await readFile(join(dataDir, 'api-key'), 'utf8')).trim();
        const listed = await cli(['--url', url, 'jobs', 'list'],
          { ML_API_KEY: key });
        expect(listed.stdout).toBe(
          "no jobs yet; create one with 'ml-intake jobs create'\n");
        // The service keeps the SDK's notice, as the README says; it
        // speaks of Node before 22 only.
        if (Number(process.versions.node.split('.')[0]) < 22) {
          expect(errors).toContain('NodeVersionSupportWarning');
        }
      } finally {
        server.kill('SIGTERM');
      }
      const [code] = await once(server, 'exit');
      expect(code).toBe(0);
    });
});

test('a setting the service cannot take is one line, not an unexpected '
  + 'error', async () => {
  let stderr = '';
  const code = await runCli(['serve'], {
    stdout: () => undefined,
    stderr: (text) => { stderr += text; },
    stdin: new PassThrough(),
    env: {},
    serve: async () => { loadLocalSettings({ PORT: 'abc' }); },
  });

  expect(code).toBe(1);
  expect(stderr).toBe(
    "ml-intake: PORT must be a port number (0-65535), got 'abc'\n");
});
