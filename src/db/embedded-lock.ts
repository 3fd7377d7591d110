// The embedded database folder may be opened by one process only (PGlite has no lock of its own:
// two processes writing one folder corrupt it). A lock file names the owner and its socket, so a
// second process can tell a live owner (its socket answers) from one that died without cleaning up.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The embedded database is held by another process that cannot be joined. */
export class EmbeddedDatabaseBusyError extends Error {}

type Owner = { pid: number; host: string; socket: string };

export type EmbeddedLock =
  | { kind: 'acquired'; release(): void }
  /** Another process serves the database on this socket. */
  | { kind: 'running'; socketPath: string; pid: number };

// An owner whose socket does not answer yet may still be opening the database (a first start
// creates it, which takes a while); after this long without a socket it is taken for dead.
const STARTUP_GRACE_MS = 60_000;

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return typeof owner.pid === 'number' && typeof owner.socket === 'string' ? owner : undefined;
  } catch {
    return undefined; // being written right now, or damaged
  }
}

async function ownerState(file: string, owner: Owner | undefined): Promise<'serving' | 'starting' | 'unknown' | 'gone'> {
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(file).mtimeMs;
  } catch {
    return 'gone'; // released meanwhile
  }
  if (owner && (await socketAnswers(owner.socket))) return 'serving';
  // Another container's socket outside the shared folder cannot be reached: only a person can tell.
  if (owner && owner.host !== os.hostname() && !owner.socket.startsWith(path.dirname(file) + path.sep)) return 'unknown';
  // Same machine (or container): the process table tells whether the owner is gone; our own pid
  // in the file is a previous life of this process (a restarted container).
  if (owner && owner.host === os.hostname() && (owner.pid === process.pid || !processExists(owner.pid))) return 'gone';
  return ageMs < STARTUP_GRACE_MS ? 'starting' : 'gone';
}

/** Takes the lock of the embedded database under dataDir, or says who holds it. */
export async function lockEmbeddedDatabase(dataDir: string, socketPath: string): Promise<EmbeddedLock> {
  const file = path.join(dataDir, 'embedded.lock');
  const mine: Owner = { pid: process.pid, host: os.hostname(), socket: socketPath };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      return { kind: 'acquired', release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(file);
    const state = await ownerState(file, owner);
    if (state === 'serving') return { kind: 'running', socketPath: owner!.socket, pid: owner!.pid };
    if (state === 'unknown') {
      throw new EmbeddedDatabaseBusyError(
        `The embedded database in ${dataDir} is held by process ${owner!.pid} on host ${owner!.host}; if no Ostrakon runs there any more, delete ${file}.`,
      );
    }
    if (state === 'starting') {
      throw new EmbeddedDatabaseBusyError(
        `The embedded database in ${dataDir} is being opened by another process${owner ? ` (pid ${owner.pid})` : ''}; try again in a minute.`,
      );
    }
    rmSync(file, { force: true }); // left by a process that died
  }
  throw new EmbeddedDatabaseBusyError(`Another process took the embedded database in ${dataDir} at the same time; try again.`);
}
