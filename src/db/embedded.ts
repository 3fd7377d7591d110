// Embedded Postgres: PGlite served on a local socket so every part of the app (knex, pg-boss,
// the session store) talks to it through the ordinary pg driver.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EmbeddedDatabaseBusyError, lockEmbeddedDatabase } from './embedded-lock.ts';
import { keepProtocolBatchesWhole } from './embedded-queue.ts';

export { EmbeddedDatabaseBusyError };

export type EmbeddedPostgres = {
  /** Connection string for the pg driver. */
  url: string;
  /** Another process (the server) already served this database, and we connected to it. */
  joined: boolean;
  stop(): Promise<void>;
};

// Unix socket paths are limited to about 107 bytes; fall back to a short temporary folder.
const SOCKET_PATH_LIMIT = 100;

async function serve(pgdata: string, socketPath: string): Promise<{ db: PGlite; server: PGLiteSocketServer }> {
  // Contrib extensions are loaded here so that migrations can CREATE EXTENSION them as on a server.
  const db = await PGlite.create(pgdata, { extensions: { pg_trgm } });
  try {
    rmSync(socketPath, { force: true }); // left behind by a process that was killed
    const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 200 });
    keepProtocolBatchesWhole(server);
    await server.start();
    return { db, server };
  } catch (error) {
    await db.close();
    throw error;
  }
}

function urlFor(socketDir: string): string {
  return `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
}

/**
 * Opens (or creates) the PGlite database under dataDir and serves it on a unix socket. When another
 * process already serves it, `join` connects to that socket instead; otherwise that is an error.
 */
export async function startEmbeddedPostgres(dataDir: string, options: { join?: boolean } = {}): Promise<EmbeddedPostgres> {
  const pgdata = path.join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true });

  let socketDir = path.join(dataDir, 'run');
  let temporarySocketDir = false;
  if (path.join(socketDir, '.s.PGSQL.5432').length > SOCKET_PATH_LIMIT) {
    socketDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-'));
    temporarySocketDir = true;
  } else {
    mkdirSync(socketDir, { recursive: true });
  }
  const socketPath = path.join(socketDir, '.s.PGSQL.5432');
  const dropSocketDir = () => {
    if (temporarySocketDir) rmSync(socketDir, { recursive: true, force: true });
  };

  const lock = await lockEmbeddedDatabase(dataDir, socketPath).catch((error: unknown) => {
    dropSocketDir();
    throw error;
  });
  if (lock.kind === 'running') {
    dropSocketDir();
    if (!options.join) {
      throw new EmbeddedDatabaseBusyError(`The embedded database in ${dataDir} is already in use by another process (pid ${lock.pid}).`);
    }
    return { url: urlFor(path.dirname(lock.socketPath)), joined: true, stop: async () => {} };
  }

  let served: { db: PGlite; server: PGLiteSocketServer };
  try {
    served = await serve(pgdata, socketPath);
  } catch (error) {
    lock.release();
    dropSocketDir();
    throw error;
  }
  const { db, server } = served;

  return {
    url: urlFor(socketDir),
    joined: false,
    async stop() {
      await server.stop();
      await db.close();
      lock.release();
      dropSocketDir();
    },
  };
}
