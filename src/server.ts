// The only file that listens: reads the settings, starts the runtime, serves HTTP, stops cleanly.
import http from 'node:http';
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { EmbeddedDatabaseBusyError } from './db/embedded-lock.ts';
import { startRuntime } from './runtime.ts';

// Slow clients may not hold sockets open indefinitely: the whole head within 20 s, the whole
// request within 30 s, an idle keep-alive connection for 5 s; checked every 2 s.
const SERVER_TIMEOUTS = { headersTimeout: 20_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 2_000 };

// Stops accepting connections and lets requests in flight finish within graceMs, then cuts the rest.
async function drainHttp(server: http.Server, graceMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection becomes idle once its response is sent: close it then, not after 5 s.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  const deadline = setTimeout(() => {
    logger.warn({ graceMs }, 'requests still running at the shutdown deadline; closing their connections');
    server.closeAllConnections();
  }, graceMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(deadline);
}

// Whether `promise` settles within ms (it goes on either way; the caller just stops waiting).
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  const runtime = await startRuntime(config);
  const { logger } = runtime;
  let server: http.Server | undefined;
  if (runtime.app) {
    server = http.createServer(SERVER_TIMEOUTS, runtime.app);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => {
        server!.off('error', reject);
        resolve();
      });
    });
    logger.info({ url: config.publicUrl, port: config.port, embedded: !config.databaseUrl, role: config.role }, 'Ostrakon is listening');
    if (config.publicUrl.startsWith('https:') && config.trustProxy === false) {
      logger.warn('PUBLIC_URL is https but TRUST_PROXY is off: requests look like plain http, so no session cookie (Secure) is sent. Set TRUST_PROXY for your reverse proxy.');
    }
  } else {
    logger.info({ role: config.role }, 'Ostrakon worker started');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownTimeoutSeconds * 1000;
    logger.info({ signal, graceMs }, 'shutting down');
    // Requests and jobs each get graceMs, side by side; closing the pools follows. Past that, give up.
    const forceExit = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 2 * graceMs + 10_000);
    forceExit.unref();
    try {
      // pg-boss fails the jobs still running at the deadline (so they are retried) but then waits for
      // their handlers to return; one stuck in a query must not hold the process past the bound.
      const wound = Promise.all([server ? drainHttp(server, graceMs, logger) : undefined, runtime.stopWorkers(graceMs)]);
      if (!(await settlesWithin(wound, graceMs + 2_000))) logger.warn('jobs still running at the shutdown deadline were handed back for a retry');
      if (!(await settlesWithin(runtime.close(), 5_000))) logger.warn('database connections still busy at exit are closed with the process');
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

// Problems of the setting-up kind get one line saying what to do; anything else, the whole error.
function startupProblem(error: unknown): string | undefined {
  if (error instanceof EmbeddedDatabaseBusyError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return 'the port is already in use: stop the other server or choose another PORT.';
  if (code === 'EACCES') return 'not allowed to listen on that port: choose a PORT above 1023 or run with the right to bind it.';
  return undefined;
}

main().catch((error: unknown) => {
  const problem = startupProblem(error);
  console.error('Ostrakon failed to start:', problem ?? error);
  process.exit(1);
});
