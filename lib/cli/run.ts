import {
  Command, CommanderError, InvalidArgumentError, Option,
} from 'commander';
import {
  ConfigError, dataDirFrom, DEFAULT_DATA_DIR, DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, tableNameFrom,
} from '../config.js';
import { parseSize } from './byteSizes.js';
import { CliError } from './cliErrors.js';
import type { CliIo } from './cliIo.js';
import { changeJob, createJob, listJobs } from './jobsCommand.js';
import { createAwsKey } from './awsKeys.js';
import {
  createKey, listKeys, printCreatedKey, revokeKeys,
} from './keysCommand.js';
import { checkJobIdToPost, postFile } from './postCommand.js';
import { postViaS3 } from './s3Upload.js';
import { ServerClient } from './serverClient.js';
import { showStats } from './statsCommand.js';
// Bundled into the built command at build time; nothing reads it at run.
import packageJson from '../../package.json' with { type: 'json' };

const DEFAULT_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
const MiB = 1024 * 1024;
const S3_POLL_MS = 1000;

/**
 * Runs one command line (without the `node` and script words) and
 * resolves to the exit code. Errors become one line on stderr.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      return error.exitCode;
    }
    io.stderr(`ml-intake: ${messageOf(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof CliError || error instanceof ConfigError) {
    return error.message;
  }
  // An unexpected failure still gets one line, without its stack.
  const text = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${text.split('\n')[0]}`;
}

function buildProgram(io: CliIo): Command {
  const program = new Command('ml-intake')
    .description('Feed anomaly-detection jobs: post files of any size, '
      + 'show data counts, manage jobs and API keys')
    .addOption(new Option('--url <url>', 'the service\'s address')
      .default(io.env.ML_URL ?? DEFAULT_URL, `$ML_URL or ${DEFAULT_URL}`))
    .option('--api-key <encoded>', 'API key (default: $ML_API_KEY)')
    .option('--json', 'print JSON instead of tables')
    .version(packageJson.version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput(outputTo(io, 'ml-intake'))
    .hook('preAction', (_, command) => quietAwsSdk(command, io));
  const client = () => {
    const { url, apiKey } = program.opts();
    return new ServerClient({ url, apiKey: apiKey ?? io.env.ML_API_KEY });
  };
  const json = () => Boolean(program.opts().json);

  program.command('post')
    .description('send a file (NDJSON, JSON, CSV for delimited jobs, or '
      + 'gzip of these; - for stdin) to a job, in uploads cut between '
      + 'records')
    .argument('<job_id>')
    .argument('<file>')
    .addOption(new Option('--max-bytes <size>', 'largest upload, e.g. 5mb '
      + 'for AWS').argParser(parseSize)
      .default(DEFAULT_MAX_BODY_BYTES, `${DEFAULT_MAX_BODY_BYTES / MiB}mb`))
    .option('--from-byte <offset>', 'resume at this offset, as printed by '
      + 'a failed run', parseOffset, 0)
    .option('--via-s3', 'send the whole file through S3 and follow its '
      + 'ingestion')
    .action(async (jobId: string, file: string, options) => {
      checkJobIdToPost(jobId);
      if (options.viaS3) {
        if (options.fromByte > 0) {
          throw new CliError('--from-byte does not apply with --via-s3');
        }
        await postViaS3(client(), jobId, file,
          { json: json(), pollMs: S3_POLL_MS }, io);
        return;
      }
      await postFile(client(), jobId, file, {
        maxBytes: options.maxBytes, fromByte: options.fromByte,
        json: json(),
      }, io);
    });

  program.command('stats')
    .description('data counts of a job, or of every job with _all, with '
      + 'warnings where they suggest a problem')
    .argument('<job_id>')
    .action((jobId: string) => showStats(client(), jobId, json(), io));

  addJobCommands(program, client, json, io);
  addKeyCommands(program, client, json, io);

  program.command('serve')
    .description('run the service on this machine: the API on '
      + `${DEFAULT_HOST}:$PORT (${DEFAULT_PORT}), data under $ML_DATA_DIR `
      + `(${DEFAULT_DATA_DIR})`)
    .action(async () => {
      if (io.serve === undefined) throw new CliError('serve is not available');
      await io.serve();
    });

  for (const command of program.commands) inherit(command, io);
  return program;
}

function addJobCommands(
  program: Command, client: () => ServerClient, json: () => boolean,
  io: CliIo,
): void {
  const jobs = program.command('jobs').description('create, open, close, '
    + 'delete and list jobs');
  const collect = (value: string, previous: string[] = []) =>
    [...previous, value];

  jobs.command('create')
    .description('create a job from flags and/or a JSON file')
    .argument('<job_id>')
    .option('--config <file>', 'the job as JSON, as the create job API '
      + 'takes it; flags override its values')
    .option('--bucket-span <span>', 'e.g. 15m')
    .option('--detector <text>', "e.g. 'mean(responsetime) by airline'; "
      + 'repeat for more', collect)
    .option('--influencer <field>', 'repeat for more', collect)
    .option('--time-field <field>')
    .option('--time-format <format>', 'epoch, epoch_ms or a Java pattern')
    .option('--format <format>', 'xcontent (JSON) or delimited (csv)')
    .option('--delimiter <char>', 'field delimiter of delimited data')
    .option('--description <text>')
    .action((jobId: string, flags) =>
      createJob(client(), jobId, flags, json(), io));
  jobs.command('open').description('open a job so it takes data')
    .argument('<job_id>')
    .action((jobId: string) =>
      changeJob(client(), 'open', jobId, { json: json() }, io));
  jobs.command('close').description('close a job; its counts are kept')
    .argument('<job_id>')
    .action((jobId: string) =>
      changeJob(client(), 'close', jobId, { json: json() }, io));
  jobs.command('delete').description('delete a closed job')
    .argument('<job_id>')
    .option('--force', 'delete an open job')
    .action((jobId: string, options) => changeJob(client(), 'delete', jobId,
      { force: options.force, json: json() }, io));
  jobs.command('list')
    .description('every job with its state and processed records')
    .action(() => listJobs(client(), json(), io));
  for (const command of jobs.commands) inherit(command, io);
}

function addKeyCommands(
  program: Command, client: () => ServerClient, json: () => boolean,
  io: CliIo,
): void {
  const keys = program.command('keys').description('create, list and '
    + 'revoke API keys');
  const list = (value: string) => value.split(',').map((p) => p.trim())
    .filter((p) => p !== '');

  keys.command('create')
    .description('create an API key through the server, or straight in '
      + 'the store with --local or --aws when no key exists yet')
    .option('--name <name>', 'what the key is for', 'ml-intake')
    .option('--privileges <list>', 'cluster privileges, e.g. '
      + 'manage_ml,monitor_ml (default: those of the key used; all with '
      + '--local or --aws)', list)
    .option('--expiration <time>', 'e.g. 30d; default: never')
    .option('--local', 'write the key straight into the local data folder '
      + '(only while the server is stopped)')
    .option('--data-dir <dir>', 'the local data folder',
      dataDirFrom(io.env))
    .option('--save', 'with --local: also write the key to '
      + '<data-dir>/api-key, replacing the one there, where serve looks '
      + 'for it')
    .option('--aws', 'write the key straight into the deployed DynamoDB '
      + 'table with your AWS credentials')
    .option('--table <name>', 'the deployed table (default: $ML_TABLE)')
    .option('--region <region>', 'its region (default: $AWS_REGION)')
    .action(async (options) => {
      if (options.local && options.aws) {
        throw new CliError('give --local or --aws, not both');
      }
      if (!options.aws && (options.table ?? options.region) !== undefined) {
        throw new CliError('--table and --region go with --aws');
      }
      if (options.save && !options.local) {
        throw new CliError('--save goes with --local');
      }
      if (options.aws) {
        const key = await createAwsKey(options, io.env);
        printCreatedKey(key, json(), io);
        if (!json()) {
          io.stdout(`It is stored in table ${key.table} (${key.region}); `
            + 'use it against the HttpApiUrl of that stack, e.g. '
            + "'ml-intake --url <HttpApiUrl> jobs list'.\n");
        }
        return;
      }
      if (!options.local) {
        await createKey(client(), options, json(), io);
        return;
      }
      if (io.createLocalKey === undefined) {
        throw new CliError('--local is not available here');
      }
      const { savedTo, ...key } = await io.createLocalKey({
        ...options,
        tableName: tableNameFrom(io.env),
      });
      printCreatedKey(key, json(), io);
      if (savedTo !== undefined && !json()) {
        io.stdout(`It is saved in ${savedTo}, readable by you only, where `
          + "'ml-intake serve' looks for it.\n");
      }
    });
  keys.command('list')
    .description('every key with its expiration and whether it is revoked')
    .action(() => listKeys(client(), json(), io));
  keys.command('revoke')
    .description('revoke keys by id (as keys list shows them)')
    .argument('<id...>')
    .action((ids: string[]) => revokeKeys(client(), ids, json(), io));
  for (const command of keys.commands) inherit(command, io);
}

/**
 * On Node 20 the AWS SDK prints a notice of several lines when it makes a
 * client: that its releases after January 2027 need Node 22. The service
 * prints it at start, as the README says; a command such as `keys create
 * --local` has nothing to do with it. The SDK reads this variable from
 * the process environment when a client is made, unless the user set it.
 */
function quietAwsSdk(command: Command, io: CliIo): void {
  if (command.name() === 'serve') return;
  io.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Subcommands report usage errors the same way as the program. */
function inherit(command: Command, io: CliIo): void {
  const path = [];
  for (let at: Command | null = command; at !== null; at = at.parent) {
    path.unshift(at.name());
  }
  command.exitOverride().configureOutput(outputTo(io, path.join(' ')));
}

/**
 * Usage errors read like every other error, one line that starts with
 * `ml-intake:`, and say where the usage is described.
 */
function outputTo(io: CliIo, usage: string) {
  return {
    writeOut: (text: string) => io.stdout(text),
    writeErr: (text: string) => io.stderr(text),
    outputError: (text: string, write: (text: string) => void) => {
      const message = text.trim().replace(/^error: /, '');
      write(`ml-intake: ${message}; see '${usage} --help'\n`);
    },
  };
}

function parseOffset(text: string): number {
  const offset = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(offset)) {
    throw new InvalidArgumentError('give a byte offset printed by a failed '
      + 'run');
  }
  return offset;
}
