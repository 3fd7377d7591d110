// Embedded Postgres: PGlite served on a local socket so every part of the app (knex, pg-boss,
// the session store) talks to it through the ordinary pg driver.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = {
  /** Connection string for the pg driver. */
  url: string;
  stop(): Promise<void>;
};

// Unix socket paths are limited to about 107 bytes; fall back to a short temporary folder.
const SOCKET_PATH_LIMIT = 100;

/** Opens (or creates) the PGlite database under dataDir and serves it on a unix socket. */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgdata = path.join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  // Contrib extensions are loaded here so that migrations can CREATE EXTENSION them as on a server.
  const db = await PGlite.create(pgdata, { extensions: { pg_trgm } });

  let socketDir = path.join(dataDir, 'run');
  let temporarySocketDir = false;
  if (path.join(socketDir, '.s.PGSQL.5432').length > SOCKET_PATH_LIMIT) {
    socketDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-'));
    temporarySocketDir = true;
  } else {
    mkdirSync(socketDir, { recursive: true });
  }
  const socketPath = path.join(socketDir, '.s.PGSQL.5432');
  rmSync(socketPath, { force: true }); // left behind by a process that was killed
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 200 });
  await server.start();

  return {
    url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    async stop() {
      await server.stop();
      await db.close();
      if (temporarySocketDir) rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
