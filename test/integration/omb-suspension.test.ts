// Suspension and OMB, with two real servers: nothing goes out from a suspended person, and pushes
// for a suspended person are refused (403, which an OMB sender reads as the end of the subscription).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NOTICE_DISTRIBUTE_JOB } from '../../src/domain/jobs.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { WebClient } from '../helpers/web-client.ts';
import { latestNoticeId, staffClient } from '../helpers/moderation.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A
let bob: WebClient; // on B

const storedOnA = async (content: string) => (await a.runtime.ctx.db('notices').where({ content, is_local: false }).first()) !== undefined;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
  assert.equal(finish.status, 303);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('OMB and suspended people', () => {
  it('distributes nothing of a suspended person, and distributes again once the suspension is lifted', async () => {
    await bob.post('/notice/new', { content: 'before the suspension', returnto: '/' });
    await waitFor('the first notice on A', () => storedOnA('before the suspension'));

    const admin = await staffClient(b, 'ada', 'admin');
    assert.equal((await admin.post('/admin/people/bob/suspend', { note: '' })).status, 303);
    // A notice of bob's whose distribution runs while he is suspended (as if queued just before).
    const bobId = Number((await b.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: true }).first('id')).id);
    const [row] = await b.runtime.ctx.db('notices').insert({ profile_id: bobId, content: 'during the suspension', rendered: 'during the suspension', is_local: true, conversation_id: 0 }).returning('id');
    await b.runtime.ctx.jobs.send(b.runtime.ctx.db, NOTICE_DISTRIBUTE_JOB, { noticeId: Number(row.id) });
    await pause(3000);
    assert.equal(await storedOnA('during the suspension'), false);

    assert.equal((await admin.post('/admin/people/bob/unsuspend', { note: '' })).status, 303);
    await b.runtime.ctx.jobs.send(b.runtime.ctx.db, NOTICE_DISTRIBUTE_JOB, { noticeId: Number(row.id) });
    await waitFor('the same notice on A once bob is back', () => storedOnA('during the suspension'));
  });

  it('refuses pushes for a suspended subscriber with 403, storing nothing', async () => {
    const admin = await staffClient(a, 'ada', 'admin');
    assert.equal((await admin.post('/admin/people/alice/suspend', { note: '' })).status, 303);
    const bobOnB = await b.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: true }).first('id');
    const subscribers = () => b.runtime.ctx.db('subscriptions').where({ subscribed_id: bobOnB.id }).count({ n: '*' }).then((r) => Number(r[0]!.n));
    assert.equal(await subscribers(), 1);

    // Bob's session ended with his suspension in the test above: he signs in again.
    const bobAgain = new WebClient(b.url);
    await bobAgain.get('/main/login');
    assert.equal((await bobAgain.post('/main/login', { nickname: 'bob', password: 'correct horse battery' })).status, 303);
    await bobAgain.get('/bob/all');
    assert.equal((await bobAgain.post('/notice/new', { content: 'to a suspended listener', returnto: '/' })).status, 303);
    // B hears 403 and ends the subscription, as OMB 0.1 says it should.
    await waitFor('B ends the subscription', async () => (await subscribers()) === 0);
    assert.equal(await storedOnA('to a suspended listener'), false);
    assert.equal(await a.runtime.ctx.db('notices').where({ content: 'to a suspended listener' }).first(), undefined);
    assert.ok(await latestNoticeId(b, 'bob'));
  });
});
