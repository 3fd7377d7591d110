// Starts a real Ostrakon (runtime, job workers, HTTP on a free loopback port) for a test file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config.ts';
import type { Config } from '../../src/config.ts';
import { startRuntime } from '../../src/runtime.ts';
import type { Runtime } from '../../src/runtime.ts';
import type { HttpClient } from '../../src/federation/http-client.ts';
import type { FederationProtocol } from '../../src/federation/core.ts';
import type { LoginLimits, RecoveryLimits } from '../../src/web/middleware/throttle.ts';
import { createTestDatabase } from './database.ts';

export type TestServer = {
  url: string;
  port: number;
  dataDir: string;
  runtime: Runtime;
  config: Config;
  /** Stops serving and closes the runtime, keeping the database and data folder (a server that is down). */
  halt(): Promise<void>;
  /** Starts again on the same port with the same data, after halt(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

/** A running server with its own fresh database; `env` overrides settings, `httpClient`, `protocols` and `logger` replace its own. */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    loginLimits?: LoginLimits;
    recoveryLimits?: RecoveryLimits;
    hostname?: 'localhost';
    httpClient?: HttpClient;
    protocols?: readonly FederationProtocol[];
    logger?: Logger;
  } = {},
): Promise<TestServer> {
  let server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // A browser keeps cookies per host name, not per port: two servers seen by one browser need two names.
  const url = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-test-'));
  const database = await createTestDatabase();
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    BCRYPT_COST: '4',
    // Tests register and post from one address far more than a day's allowance; the limits' own tests set them low.
    REGISTRATIONS_PER_DAY: '100000',
    NOTICES_PER_HOUR: '100000',
    JOB_POLL_SECONDS: '1',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const boot = () =>
    startRuntime(config, {
      logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      loginLimits: options.loginLimits,
      recoveryLimits: options.recoveryLimits,
      httpClient: options.httpClient,
      protocols: options.protocols,
    });
  let runtime = await boot();
  server.on('request', runtime.app!);
  let running = true;

  const halt = async () => {
    if (!running) return;
    running = false;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  };

  const handle: TestServer = {
    url,
    port,
    dataDir,
    runtime,
    config,
    halt,
    async restart() {
      if (running) return;
      runtime = await boot();
      handle.runtime = runtime;
      server = http.createServer(runtime.app!);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      running = true;
    },
    async stop() {
      await halt();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(description: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for: ${description}`);
}

/** A logger that keeps every line it is given (parsed), for tests that check what was logged. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
