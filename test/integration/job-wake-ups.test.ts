// Workers start a queued job at once, although they poll only every minute here: woken directly
// by their own process once the job's transaction has committed, and through a NOTIFY from a
// process without workers (a web process, the command line), also after their listening
// connection was cut. Jobs claimed together go to a batch handler where there is one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { FederationProtocol } from '../../src/federation/core.ts';
import { openJobQueue } from '../../src/jobs/queue.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import { jobDefinitionsFor } from '../../src/jobs/registry.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import type { FederationContext } from '../../src/federation/context.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

const PROBE_JOB = 'probe.run';
const BATCH_JOB = 'probe.batch';
const ran: string[] = [];
const batches: string[][] = [];
const probe: FederationProtocol = {
  name: 'probe',
  jobs: () => ({
    [PROBE_JOB]: {
      handler: async (_ctx, data) => {
        ran.push(String(data.tag));
      },
      retryLimit: 0,
      retryDelaySeconds: 1,
    },
    [BATCH_JOB]: {
      handler: async (_ctx, data) => {
        if (data.tag === 'bad') throw new Error('a job that fails');
        ran.push(String(data.tag));
      },
      batchHandler: async (_ctx, batch) => {
        batches.push(batch.map((data) => String(data.tag)));
        if (batch.some((data) => data.tag === 'bad')) throw new Error('one of them fails');
        ran.push(...batch.map((data) => String(data.tag)));
      },
      retryLimit: 0,
      retryDelaySeconds: 1,
    },
  }),
};

// Long enough that only a wake-up can start the job within the test's few seconds.
const POLL_SECONDS = '60';
const SOON_MS = 5_000;

describe('waking job workers', () => {
  let server: TestServer;
  let elsewhere: JobQueue<FederationContext> | undefined;
  const db = () => server.runtime.ctx.db;

  before(async () => {
    server = await startTestServer({ protocols: [probe], env: { JOB_POLL_SECONDS: POLL_SECONDS } });
  });
  after(async () => {
    await elsewhere?.stop(1000);
    await server?.stop();
  });

  it('starts a job queued outside a transaction at once', async () => {
    await server.runtime.ctx.jobs.send(db(), PROBE_JOB, { tag: 'plain' });
    await waitFor('the job to run', async () => ran.includes('plain'), SOON_MS);
  });

  it('wakes the workers once the transaction has committed, the outermost one for a savepoint', async () => {
    await db().transaction(async (trx) => {
      await server.runtime.ctx.jobs.send(trx, PROBE_JOB, { tag: 'in a transaction' });
      await trx.transaction(async (savepoint) => {
        await server.runtime.ctx.jobs.sendMany(savepoint, PROBE_JOB, [{ data: { tag: 'in a savepoint' } }, { data: { tag: 'beside it' } }]);
      });
      // Woken now, a worker would find nothing yet and sleep until its next poll.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await waitFor('the jobs to run', async () => ['in a transaction', 'in a savepoint', 'beside it'].every((tag) => ran.includes(tag)), SOON_MS);
  });

  it('runs nothing of a transaction that rolled back', async () => {
    await assert.rejects(
      db().transaction(async (trx) => {
        await server.runtime.ctx.jobs.send(trx, PROBE_JOB, { tag: 'rolled back' });
        throw new Error('changed our mind');
      }),
    );
    await server.runtime.ctx.jobs.send(db(), PROBE_JOB, { tag: 'after the rollback' });
    await waitFor('the next job to run', async () => ran.includes('after the rollback'), SOON_MS);
    assert.ok(!ran.includes('rolled back'));
  });

  it('handles jobs claimed together at once, and each on its own when that fails', async () => {
    await server.runtime.ctx.jobs.sendMany(db(), BATCH_JOB, ['b1', 'b2', 'b3'].map((tag) => ({ data: { tag } })));
    await waitFor('the batch to run', async () => ['b1', 'b2', 'b3'].every((tag) => ran.includes(tag)), SOON_MS);
    assert.deepEqual(batches.at(-1)?.sort(), ['b1', 'b2', 'b3']);
    await server.runtime.ctx.jobs.sendMany(db(), BATCH_JOB, ['c1', 'bad', 'c2'].map((tag) => ({ data: { tag } })));
    await waitFor('the good ones to run alone', async () => ['c1', 'c2'].every((tag) => ran.includes(tag)), SOON_MS);
    assert.deepEqual(batches.at(-1)?.sort(), ['bad', 'c1', 'c2']);
    assert.equal(ran.filter((tag) => tag === 'c1').length, 1);
  });

  it('starts a job another process queued, also after the listening connection was cut', { skip: !process.env.DATABASE_URL && 'NOTIFY needs a Postgres server' }, async () => {
    const config = server.config;
    const logger = pino({ level: 'silent' });
    elsewhere = await openJobQueue({
      url: config.databaseUrl!,
      definitions: jobDefinitionsFor(config, createMailer(config, logger), [probe]),
      pollSeconds: config.jobPollSeconds,
      logger,
      runMaintenance: false,
      listenNotify: true,
    });
    await elsewhere.sender.send(db(), PROBE_JOB, { tag: 'from elsewhere' });
    await waitFor('the job from another process to run', async () => ran.includes('from elsewhere'), SOON_MS);

    const { rows } = await db().raw(`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ostrakon_jobs'`);
    assert.equal(rows.length, 1, 'one listening connection');
    // Until the connection is back, wake-ups are lost; once it is, the workers look for what they missed.
    await elsewhere.sender.send(db(), PROBE_JOB, { tag: 'while cut' });
    await waitFor('the job queued while cut to run', async () => ran.includes('while cut'), SOON_MS);
    await waitFor('listening again', async () => (await db().raw(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ostrakon_jobs'`)).rows.length === 1, SOON_MS);
    await elsewhere.sender.send(db(), PROBE_JOB, { tag: 'after reconnecting' });
    await waitFor('the job queued after reconnecting to run', async () => ran.includes('after reconnecting'), SOON_MS);
  });
});
