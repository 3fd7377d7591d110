// A worker that claims several jobs of an ordered queue at once (the OMB deliveries) runs them at
// once and marks each done when it is: a job that hangs holds up neither its batch-mates nor the
// next job of their keys, and a failure retries only its own job.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FederationProtocol } from '../../src/federation/core.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

const JOB = 'probe.concurrent';
const started: string[] = [];
const finished: string[] = [];
let releaseHung: () => void = () => {};
const hung = new Promise<void>((resolve) => (releaseHung = resolve));

const probe: FederationProtocol = {
  name: 'probe',
  jobs: () => ({
    [JOB]: {
      handler: async (_ctx, data) => {
        const tag = String(data.tag);
        started.push(tag);
        if (tag === 'hung') await hung;
        if (tag === 'flaky') throw new Error('fails');
        finished.push(tag);
      },
      retryLimit: 2,
      retryDelaySeconds: 1,
      localConcurrency: 2,
      batchSize: 4,
      concurrent: true,
      ordered: true,
      pollForRetries: true,
    },
  }),
};

// Long enough that only a wake-up or a finished batch can start a job within the test's seconds.
const POLL_SECONDS = '60';

describe('concurrent batches of an ordered queue', () => {
  let server: TestServer;
  const db = () => server.runtime.ctx.db;
  const send = (tag: string, key: string) => server.runtime.ctx.jobs.send(db(), JOB, { tag }, { key });
  const stateOf = async (tag: string) => (await db().raw(`SELECT state FROM pgboss.job WHERE name = ? AND data->>'tag' = ?`, [JOB, tag])).rows[0]?.state;

  before(async () => {
    server = await startTestServer({ protocols: [probe], env: { JOB_POLL_SECONDS: POLL_SECONDS } });
  });
  after(async () => {
    releaseHung();
    await server?.stop();
  });

  it('marks the quick jobs of a batch done while one of them hangs, so their keys move on', async () => {
    await server.runtime.ctx.jobs.sendMany(db(), JOB, [
      { data: { tag: 'hung' }, options: { key: 'a' } },
      { data: { tag: 'quick b' }, options: { key: 'b' } },
      { data: { tag: 'quick c' }, options: { key: 'c' } },
    ]);
    await waitFor('the quick jobs to finish', async () => finished.includes('quick b') && finished.includes('quick c'), 5_000);
    assert.ok(started.includes('hung'));
    await waitFor('the quick jobs to be marked done', async () => (await stateOf('quick b')) === 'completed' && (await stateOf('quick c')) === 'completed', 5_000);
    assert.equal(await stateOf('hung'), 'active');
    // The next job of a key whose job is done starts at once; the hung key's next job waits its turn.
    await send('next b', 'b');
    await send('next a', 'a');
    await waitFor('the next job of key b to run', async () => finished.includes('next b'), 5_000);
    assert.ok(!started.includes('next a'), 'a job waits behind the one of its key still running');
    releaseHung();
    await waitFor('the hung job, then the next of its key, to finish', async () => finished.includes('next a'), 5_000);
    assert.deepEqual(
      finished.filter((tag) => tag === 'hung' || tag === 'next a'),
      ['hung', 'next a'],
    );
  });

  it('retries only the job that failed, not its batch-mates', async () => {
    await server.runtime.ctx.jobs.sendMany(db(), JOB, [
      { data: { tag: 'flaky' }, options: { key: 'd' } },
      { data: { tag: 'steady' }, options: { key: 'e' } },
    ]);
    await waitFor('the failed job to wait for its retry', async () => (await stateOf('flaky')) === 'retry', 5_000);
    await waitFor('its batch-mate to be done', async () => (await stateOf('steady')) === 'completed', 5_000);
    assert.deepEqual(finished.filter((tag) => tag === 'steady'), ['steady']);
  });
});
