// Starts a real Ostrakon (runtime, job workers, HTTP on a free loopback port) for a test file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startRuntime } from '../../src/runtime.ts';
import type { Runtime } from '../../src/runtime.ts';
import type { LoginLimits } from '../../src/web/middleware/throttle.ts';
import { createTestDatabase } from './database.ts';

export type TestServer = {
  url: string;
  runtime: Runtime;
  stop(): Promise<void>;
};

/** A running server with its own fresh database; `env` overrides settings. */
export async function startTestServer(options: { env?: Record<string, string>; loginLimits?: LoginLimits } = {}): Promise<TestServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-test-'));
  const database = await createTestDatabase();
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    BCRYPT_COST: '4',
    JOB_POLL_SECONDS: '1',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const runtime = await startRuntime(config, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), loginLimits: options.loginLimits });
  server.on('request', runtime.app!);
  return {
    url,
    runtime,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
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
