// The `ml-intake` command line.
import { Command } from 'commander';
import { firstKeyMessage } from '../infra/local/firstKey.js';
import { startLocalStack } from '../infra/local/stack.js';

const program = new Command('ml-intake')
  .description('Anomaly-detection post data API of Elasticsearch machine '
    + 'learning, on AWS or on this machine');

program.command('serve')
  .description('Run the service on this machine: the API on '
    + '$ML_HOST:$PORT (127.0.0.1:9200), data under $ML_DATA_DIR (./.data), '
    + 'API keys required unless ML_AUTH=off')
  .action(serve);

try {
  await program.parseAsync();
} catch (error) {
  console.error(`ml-intake: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}

async function serve(): Promise<void> {
  const port = Number(process.env.PORT ?? 9200);
  const dataDir = process.env.ML_DATA_DIR ?? './.data';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got '${process.env.PORT}'`);
  }

  const host = process.env.ML_HOST ?? '127.0.0.1';
  const stack = await startLocalStack({ host, port, dataDir });
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
