// The embedded database's lock file: who holds the folder, and when a lock is left over.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddedDatabaseBusyError, lockEmbeddedDatabase } from '../../src/db/embedded-lock.ts';

let dir: string;
let lockFile: string;
let socketPath: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-lock-'));
  lockFile = path.join(dir, 'embedded.lock');
  socketPath = path.join(dir, 'run.sock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeOwner = (owner: { pid: number; host?: string; socket?: string }) =>
  writeFileSync(lockFile, JSON.stringify({ host: os.hostname(), socket: socketPath, ...owner }));

// The pid of a process that has exited.
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('the embedded database lock', () => {
  it('is taken in an empty folder, names this process and goes on release', async () => {
    const lock = await lockEmbeddedDatabase(dir, socketPath);
    assert.equal(lock.kind, 'acquired');
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, process.pid);
    if (lock.kind === 'acquired') lock.release();
    assert.equal(existsSync(lockFile), false);
  });

  it('points at the owner when its socket answers', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      writeOwner({ pid: process.ppid });
      const lock = await lockEmbeddedDatabase(dir, path.join(dir, 'mine.sock'));
      assert.deepEqual(lock, { kind: 'running', socketPath, pid: process.ppid });
    } finally {
      server.close();
    }
  });

  it('takes over a lock whose process is gone', async () => {
    writeOwner({ pid: deadPid() });
    const lock = await lockEmbeddedDatabase(dir, socketPath);
    assert.equal(lock.kind, 'acquired');
  });

  it('refuses while a live owner is still opening the database, and takes over once it is long silent', async () => {
    writeOwner({ pid: process.ppid });
    await assert.rejects(lockEmbeddedDatabase(dir, socketPath), (error: Error) => error instanceof EmbeddedDatabaseBusyError && /being opened/.test(error.message));
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(lockFile, old, old);
    assert.equal((await lockEmbeddedDatabase(dir, socketPath)).kind, 'acquired');
  });

  it('leaves a lock of another host whose socket it cannot see to a person', async () => {
    writeOwner({ pid: 7, host: 'elsewhere', socket: '/nonexistent/ostrakon/.s.PGSQL.5432' });
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(lockFile, old, old);
    await assert.rejects(lockEmbeddedDatabase(dir, socketPath), (error: Error) => error instanceof EmbeddedDatabaseBusyError && error.message.includes(`delete ${lockFile}`));
  });
});
