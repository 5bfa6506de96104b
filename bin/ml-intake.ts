// The `ml-intake` command. Commands are added by lib/cli and infra/local.
console.error('ml-intake: no commands yet');
process.exitCode = 1;
