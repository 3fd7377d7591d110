// A Postgres session-level advisory lock held on a connection of its own: among several worker
// processes, the one holding it does something that must happen once (the chat bot's connection).
// It is released when released, or when its connection ends (the process died, the network broke).
import pg from 'pg';
import { poolConnectionSettings } from './connection.ts';

export type SessionLock = {
  /** Resolves when the lock is lost with its connection (never after release()). */
  lost: Promise<void>;
  release(): Promise<void>;
};

/** Takes the advisory lock `key` if no other session holds it; undefined when one does. */
export async function trySessionLock(url: string, key: number): Promise<SessionLock | undefined> {
  const client = new pg.Client({ ...poolConnectionSettings(url, false), statement_timeout: undefined });
  let released = false;
  let markLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  client.on('error', () => markLost()); // a broken connection ends the session, and the lock with it
  client.on('end', () => {
    if (!released) markLost();
  });
  await client.connect();
  try {
    const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!result.rows[0]?.locked) {
      released = true;
      await client.end();
      return undefined;
    }
  } catch (error) {
    released = true;
    await client.end().catch(() => {});
    throw error;
  }
  return {
    lost,
    async release() {
      if (released) return;
      released = true;
      await client.end().catch(() => {}); // ending the session releases the lock
    },
  };
}
