// Operations: list-dead, requeue-dead, migrate.
import { listDeadLetters, requeueDeadDeliveries } from '../federation/dead-letters.ts';
import type { DeadDeliveryFilter } from '../federation/dead-letters.ts';
import { UsageError } from './errors.ts';
import { formatTable } from './output.ts';
import type { Command } from './types.ts';

// "42" is one dead delivery's id; anything else names the host its target is on.
function filterOf(argument: string | undefined): DeadDeliveryFilter {
  if (argument === undefined) return {};
  if (/^\d+$/.test(argument)) return { id: Number(argument) };
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(argument)) throw new UsageError(`"${argument}" is neither a dead delivery's id nor a host name.`);
  return { host: argument };
}

function ageOf(since: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - since.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

// One line of the error: the table stays one row per delivery.
function shortError(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

const listDead: Command = {
  name: 'list-dead',
  summary: 'List the deliveries to other servers that failed for good',
  usage: '[<id> | <host>]',
  details: [
    'Shows each dead delivery kept in dead_deliveries: its id, target, kind (notice or profile),',
    'attempts, last error and age. Give an id or a host to see only those; requeue-dead takes the same.',
  ],
  positionals: [],
  optionalPositionals: ['id-or-host'],
  options: {},
  async run(session, { positionals: [argument] }, io) {
    const dead = await listDeadLetters(await session.context(), filterOf(argument));
    if (dead.length === 0) return io.out('No dead deliveries.');
    const rows = dead.map((d) => [String(d.id), d.target, typeof d.data.kind === 'string' ? d.data.kind : d.jobName, String(d.attempts), shortError(d.lastError), ageOf(d.createdAt)]);
    for (const line of formatTable(['ID', 'TARGET', 'KIND', 'ATTEMPTS', 'LAST ERROR', 'AGE'], rows, [true, false, false, true, false, true])) io.out(line);
  },
};

const requeueDead: Command = {
  name: 'requeue-dead',
  summary: 'Queue again the deliveries and jobs that failed for good',
  usage: '[<id> | <host>]',
  details: [
    'Deliveries to other servers kept in dead_deliveries go back on the queue with a fresh set of retries;',
    'background jobs that exhausted their retries get one more attempt. The server\'s workers run them.',
    'With an id (see list-dead) only that delivery goes back, with a host only the deliveries to that host;',
    'failed background jobs are then left alone.',
  ],
  positionals: [],
  optionalPositionals: ['id-or-host'],
  options: {},
  async run(session, { positionals: [argument] }, io) {
    const filter = filterOf(argument);
    const ctx = await session.context({ withJobs: true });
    const deliveries = await requeueDeadDeliveries(ctx, filter);
    if (argument !== undefined) return io.out(`Re-queued ${deliveries} dead deliveries.`);
    const jobs = await (await session.jobQueue()).retryFailed();
    io.out(`Re-queued ${deliveries} dead deliveries and ${jobs} failed jobs.`);
  },
};

const migrate: Command = {
  name: 'migrate',
  summary: 'Run the database migrations that have not run yet',
  usage: '',
  details: ['The server also runs them when it starts.'],
  positionals: [],
  options: {},
  async run(session, _args, io) {
    const applied = await (await session.database()).migrate(); // its own connection, free of the pool's statement timeout
    if (applied.length === 0) return io.out('Nothing to migrate: the database is up to date.');
    for (const name of applied) io.out(`Ran ${name}`);
    io.out(`Ran ${applied.length} migration(s).`);
  },
};

/** The maintenance commands. */
export const maintenanceCommands: readonly Command[] = [listDead, requeueDead, migrate];
