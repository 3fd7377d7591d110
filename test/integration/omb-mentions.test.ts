// @mentions across servers: "@alice" in a notice from another server is our alice when she and
// the author are related by a subscription (linked, recorded as a reply, an email queued), and a
// local "@bob" links to the remote bob the author follows rather than a local namesake.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A, follows bob on B
let bob: WebClient; // on B

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  await Promise.all([registeredClient(a.url, 'bob'), registeredClient(a.url, 'carol')]); // namesake and stranger on A
  const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
  assert.equal(finish.status, 303, textOf(finish.text));
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function post(client: WebClient, content: string): Promise<void> {
  const page = await client.post('/notice/new', { content, returnto: '/' });
  assert.equal(page.status, 303, textOf(page.text));
}

const renderedOf = async (server: TestServer, content: string) => (await server.runtime.ctx.db('notices').where({ content }).first())?.rendered as string | undefined;

describe('mentions in notices from another server', () => {
  it('links "@alice" in bob’s notice to alice on A and shows it among her replies, with a mention email queued', async () => {
    const db = a.runtime.ctx.db;
    const { id: aliceId } = await db('users').join('profiles', 'profiles.id', 'users.id').where('profiles.nickname', 'alice').first('users.id');
    await db('users').where({ id: aliceId }).update({ email: 'alice@example.org', notify_mention: true });
    await post(bob, '@alice thanks! and hello @carol');
    await waitFor('the notice among alice’s replies', async () => (await alice.get('/alice/replies')).text.includes('thanks!'));
    const rendered = (await renderedOf(a, '@alice thanks! and hello @carol'))!;
    assert.ok(rendered.includes(`@<a href="${a.url}/alice" class="mention">alice</a>`), rendered);
    assert.ok(rendered.includes('hello @carol'), 'carol is not related to bob: plain text');
    assert.doesNotMatch((await alice.get('/carol/replies')).text, /thanks!/);
    const notice = await db('notices').where({ content: '@alice thanks! and hello @carol' }).first();
    const mentions = await db('mentions').where({ notice_id: notice.id });
    assert.deepEqual(mentions.map((m) => Number(m.profile_id)), [Number(aliceId)]);
    const emails = await db('pgboss.job').where({ name: 'email.notify-mention' });
    assert.ok(emails.some((job) => Number(job.data.userId) === Number(aliceId) && Number(job.data.noticeId) === Number(notice.id)), 'a mention email is queued for alice');
  });

  it('links "@bob" in alice’s notice to the remote bob she follows, not the local namesake, and B records it for its bob', async () => {
    const back = await remoteSubscribe(a, 'alice', bob, `${b.url}/bob`); // so that alice's notices reach B
    assert.equal(back.finish.status, 303, textOf(back.finish.text));
    await post(alice, '@bob I read you from A');
    const rendered = (await renderedOf(a, '@bob I read you from A'))!;
    assert.ok(rendered.includes(`@<a href="${b.url}/bob" class="mention">bob</a>`), rendered);
    const db = a.runtime.ctx.db;
    const notice = await db('notices').where({ content: '@bob I read you from A' }).first();
    const remoteBob = await db('profiles').where({ nickname: 'bob', is_local: false }).first();
    assert.deepEqual((await db('mentions').where({ notice_id: notice.id })).map((m) => Number(m.profile_id)), [Number(remoteBob.id)]);
    assert.doesNotMatch((await alice.get('/bob/replies')).text, /I read you from A/, 'the local bob is someone else');

    // On B, bob and alice follow each other: her "@bob" is B's bob.
    await waitFor('the notice among bob’s replies on B', async () => (await bob.get('/bob/replies')).text.includes('I read you from A'));
    const onB = (await renderedOf(b, '@bob I read you from A'))!;
    assert.ok(onB.includes(`@<a href="${b.url}/bob" class="mention">bob</a>`), onB);
  });

  it('still links a local author’s "@carol" to the local carol when the author follows no carol', async () => {
    await post(alice, 'hi @carol');
    assert.ok((await renderedOf(a, 'hi @carol'))!.includes(`@<a href="${a.url}/carol" class="mention">carol</a>`));
  });
});
