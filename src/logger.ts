// The process's logger: JSON lines on stdout, with anything secret censored before it is written.
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/** Fields that may carry credentials or what people typed; never written to the log. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  '*.password',
  'err.body', // body-parser errors carry the raw body they could not parse
  'err.bindings', // knex errors carry the values of the failed query
  'err.parameters',
];

/**
 * A pino logger at `level` that censors REDACTED_LOG_PATHS; writes to stdout unless given a destination.
 * Stdout is written asynchronously: a blocking write per access-log line cost 4-7% of a page's CPU
 * in the benchmark. pino flushes what is still buffered when the process exits (also by process.exit).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
