// The `ml-intake` command line.
import { firstKeyMessage } from '../infra/local/firstKey.js';
import { createLocalKey } from '../infra/local/localKeys.js';
import { startLocalStack } from '../infra/local/stack.js';
import { run, type CliIo } from '../lib/cli/index.js';
import { loadLocalSettings } from '../lib/config.js';

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  progressStream: process.stderr.isTTY ? process.stderr : undefined,
  stdin: process.stdin,
  env: process.env,
  serve,
  createLocalKey,
};

process.exitCode = await run(process.argv.slice(2), io);

async function serve(): Promise<void> {
  const settings = loadLocalSettings();
  const { dataDir } = settings;
  const stack = await startLocalStack(settings);
  console.log(`ml-intake listening on ${stack.url} (data in ${dataDir})`);
  console.log(stack.firstKey === undefined
    ? 'Authentication is off (ML_AUTH=off): no API key is checked.'
    : firstKeyMessage(stack.firstKey, stack.url));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while closing means: do not wait any longer.
    if (stopping) process.exit(130);
    stopping = true;
    stack.close().then(
      () => { process.exitCode = 0; },
      (error: unknown) => {
        console.error(`ml-intake: closing after ${signal} failed:`, error);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
