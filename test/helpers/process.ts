// Runs the real server as `npm start` does (the project's Node 24 on src/server.ts) in a child
// process, to test what only a whole process shows: signals, exit codes, logs, roles, outages.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The Node that npm scripts run on (the `node` devDependency), as `npm start` uses it.
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ServerProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** The JSON log lines written so far. */
  entries(): Array<Record<string, unknown>>;
  /** Resolves once a log entry matches (or rejects after timeoutMs). */
  waitForLog(match: (entry: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<Exit>;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGTERM, then the exit; SIGKILL if it is still running after timeoutMs. */
  stop(timeoutMs?: number): Promise<Exit>;
};

// Polls /healthz: whatever LOG_LEVEL says, the server is up once it answers.
async function waitUntilHealthy(proc: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running()) throw new Error(`the server exited while starting; output:\n${proc.output()}`);
    const ok = await fetch(`${proc.url}/healthz`).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not answer within ${timeoutMs} ms; output:\n${proc.output()}`);
}

// Ports already handed out by this process: the system may offer a just-closed port again, and two
// servers started side by side on one port would both look healthy (the one that listens answers).
const handedOut = new Set<number>();

/** A port that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * Starts src/server.ts with `env` (on top of test defaults and a fresh DATA_DIR) and waits until it
 * listens (or, for ROLE=worker, has started its workers).
 */
export async function startServerProcess(env: Record<string, string>, options: { port?: number; startTimeoutMs?: number } = {}): Promise<ServerProcess> {
  if (options.port !== undefined) return startServerProcessOn(options.port, env, options);
  // A free port can be taken by another test file's process between choosing it and the server
  // binding it: then the start is tried again on another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerProcessOn(await freePort(), env, options);
    } catch (error) {
      if (attempt >= 3 || !/the port is already in use/.test(String((error as Error).message))) throw error;
    }
  }
}

async function startServerProcessOn(port: number, env: Record<string, string>, options: { startTimeoutMs?: number }): Promise<ServerProcess> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'ostrakon-proc-'));
  const child = spawn(NODE, ['src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      BCRYPT_COST: '4',
      REGISTRATIONS_PER_DAY: '100000',
      NOTICES_PER_HOUR: '100000',
      JOB_POLL_SECONDS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let alive = true;
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  void exited.then(() => {
    if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  });

  const entries = () =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return {};
        }
      });

  const waitForLog = (match: (entry: Record<string, unknown>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = entries().find(match);
        if (found) done(() => resolve(found));
        else if (!alive) done(() => reject(new Error(`the server exited before the expected log line; output:\n${text}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for a log line; output:\n${text}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const handle: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => text,
    entries,
    waitForLog,
    exited,
    running: () => alive,
    async stop(timeoutMs = 30_000) {
      if (!alive) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  try {
    if (env.ROLE === 'worker') await waitForLog((entry) => entry.msg === 'Ostrakon worker started', options.startTimeoutMs ?? 60_000);
    else await waitUntilHealthy(handle, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return handle;
}
