// The `ml-intake` command line.
import { firstKeyMessage } from '../infra/local/firstKey.js';
import { createLocalKey } from '../infra/local/localKeys.js';
import { LocalStartError, startLocalStack } from '../infra/local/stack.js';
import { CliError, run, type CliIo } from '../lib/cli/index.js';
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
  const stack = await startLocalStack(settings).catch((error: unknown) => {
    if (error instanceof LocalStartError) throw new CliError(error.message);
    throw error;
  });
  console.log(`ml-intake listening on ${stack.url} (data in ${dataDir})`);
  console.log(stack.firstKey === undefined
    ? 'Authentication is off (ML_AUTH=off): no API key is checked.'
    : firstKeyMessage(stack.firstKey, stack.url));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while closing means: do not wait any longer. Every
    // commit is one conditional write, so what was counted stays.
    if (stopping) process.exit(130);
    stopping = true;
    if (stack.ingesting()) {
      console.log('ml-intake: stopping; the object being ingested stops at '
        + 'its next commit and goes on from there at the next start '
        + `(${signal} again to stop at once)`);
    }
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
