import dynalite from 'dynalite';
import type { TestProject } from 'vitest/node';

/**
 * Starts one in-memory dynalite for the whole run. Each test file makes its
 * own table (see test/support/dynamo.ts), so files never see each other.
 */
export default async function setup(project: TestProject) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  project.provide('dynamoUrl', `http://127.0.0.1:${port}`);

  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoUrl: string;
  }
}
