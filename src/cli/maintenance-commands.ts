// Operations: requeue-dead, migrate.
import { requeueDeadDeliveries } from '../federation/dead-letters.ts';
import type { Command } from './types.ts';

const requeueDead: Command = {
  name: 'requeue-dead',
  summary: 'Queue again the deliveries and jobs that failed for good',
  usage: '',
  details: [
    'Deliveries to other servers kept in dead_deliveries go back on the queue with a fresh set of retries;',
    'background jobs that exhausted their retries get one more attempt. The server\'s workers run them.',
  ],
  positionals: [],
  options: {},
  async run(session, _args, io) {
    const ctx = await session.context({ withJobs: true });
    const deliveries = await requeueDeadDeliveries(ctx);
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
export const maintenanceCommands: readonly Command[] = [requeueDead, migrate];
