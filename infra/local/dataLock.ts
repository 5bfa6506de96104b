/**
 * Whether another process has the local DynamoDB data open. dynalite does
 * not report a database it cannot open: its requests just never answer,
 * or a later one fails with "Database is closed". So the folder is opened
 * first with the same LevelDB module dynalite uses, which says at once
 * when another process holds its lock.
 */
import { createRequire } from 'node:module';

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function isDataInUse(dynamoDir: string): Promise<boolean> {
  const fromDynalite = createRequire(createRequire(import.meta.url)
    .resolve('dynalite'));
  const { Level } = fromDynalite('level') as {
    Level: new (location: string) => LevelDatabase;
  };
  const db = new Level(dynamoDir);
  try {
    await db.open();
  } catch (error) {
    if (isLocked(error)) return true;
    throw error;
  }
  await db.close();
  return false;
}

function isLocked(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'LEVEL_LOCKED'
    || /lock/i.test((error as Error)?.message ?? '');
}
