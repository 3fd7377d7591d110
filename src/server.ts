// The only file that listens: reads the settings, starts the runtime, serves HTTP, stops cleanly.
import http from 'node:http';
import { ConfigError, loadConfig } from './config.ts';
import { startRuntime } from './runtime.ts';

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
    server = http.createServer(runtime.app);
    // Slow clients may not hold sockets open indefinitely.
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server!.listen(config.port, config.host, resolve));
    logger.info({ url: config.publicUrl, port: config.port, embedded: !config.databaseUrl, role: config.role }, 'Ostrakon is listening');
  } else {
    logger.info({ role: config.role }, 'Ostrakon worker started');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const forceExit = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    forceExit.unref();
    if (server) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a bounded time to finish.
      const drained = setTimeout(() => server!.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(drained);
    }
    await runtime.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('Ostrakon failed to start:', error);
  process.exit(1);
});
