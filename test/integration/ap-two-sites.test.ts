// Two Ostrakons federating over ActivityPub on loopback, driven through their web pages: alice on A
// follows bob on B by handle (WebFinger over http, as loopback has no TLS), B accepts, bob's notices
// reach alice's home timeline, his deletion withdraws one; replies thread on both sides; bob's reply
// to dave (unknown on A) brings dave's notice from B into its thread on A; carol on B,
// whom nobody on A knows, mentions @alice@A into alice's replies; bob's profile change reaches A;
// a notice posted while B is down arrives once B is back; alice's unsubscribing ends his subscriber entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient;
let bob: WebClient;

const host = (server: TestServer) => new URL(server.url).host;
const noticeId = async (server: TestServer, content: string) => Number((await server.runtime.ctx.db('notices').where({ content }).first()).id);
const pageText = async (client: WebClient, path: string) => textOf((await client.get(path)).text);

async function post(client: WebClient, fields: Record<string, string>): Promise<void> {
  const page = await client.post('/notice/new', { returnto: '/', ...fields });
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
}

// Replies through the reply link, as a person does: the form comes prefilled with "@nickname ".
async function reply(client: WebClient, toId: number, text: string): Promise<void> {
  const form = await client.get(`/notice/new?inreplyto=${toId}`);
  assert.equal(form.status, 200);
  const prefilled = /<textarea[^>]*name="content"[^>]*>([^<]*)<\/textarea>/.exec(form.text)![1]!;
  await post(client, { content: `${prefilled}${text}`, inreplyto: String(toId) });
}

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV })]);
  [alice, bob] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(b.url, 'bob')]);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('two Ostrakons over ActivityPub', () => {
  let bobOnA: number;

  it('alice follows @bob@B from the form; B accepts and lists her', async () => {
    const shown = await alice.get(`/main/follow?handle=${encodeURIComponent(`@bob@${host(b)}`)}`);
    assert.match(shown.text, /name="protocol" value="activitypub"/, 'B speaks OMB too: ActivityPub is preferred');
    const page = await alice.post('/main/follow', { handle: `@bob@${host(b)}` });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    bobOnA = Number(/\/remote\/(\d+)$/.exec(page.location!)![1]);
    await waitFor('alice subscribed on A', async () => (await pageText(alice, '/alice/subscriptions')).includes(`bob@${host(b)}`), 20_000);
    assert.ok((await pageText(bob, '/bob/subscribers')).includes(`alice@${host(a)}`));
  });

  it("bob's notices reach alice's home timeline, and his deletion withdraws one", async () => {
    await post(bob, { content: 'Hello from B #greetings' });
    await post(bob, { content: 'A second thought' });
    await waitFor('both notices on A', async () => {
      const home = await pageText(alice, '/alice/all');
      return home.includes('Hello from B') && home.includes('A second thought');
    }, 20_000);
    const secondId = await noticeId(b, 'A second thought');
    await bob.get(`/notice/delete/${secondId}`);
    assert.equal((await bob.post(`/notice/delete/${secondId}`, {})).status, 303);
    await waitFor('the deletion on A', async () => !(await pageText(alice, '/alice/all')).includes('A second thought'), 20_000);
    assert.ok((await pageText(alice, `/remote/${bobOnA}`)).includes('Hello from B'));
  });

  it('a reply threads on both sides, and the answer to it too', async () => {
    const helloOnA = await noticeId(a, 'Hello from B #greetings');
    await reply(alice, helloOnA, 'hello back from A');
    const conversationOnA = (await a.runtime.ctx.db('notices').where({ id: helloOnA }).first()).conversation_id;
    assert.ok((await pageText(alice, `/conversation/${conversationOnA}`)).includes('@bob hello back from A'));

    // On B, bob does not follow alice: her reply reaches him because it answers and mentions him.
    const helloOnB = await noticeId(b, 'Hello from B #greetings');
    await waitFor('the reply in bob’s thread on B', async () => (await pageText(bob, `/conversation/${helloOnB}`)).includes('hello back from A'), 20_000);
    const replyOnB = await b.runtime.ctx.db('notices').where({ content: '@bob hello back from A' }).first();
    assert.equal(Number(replyOnB.in_reply_to), helloOnB);
    assert.ok((await pageText(bob, '/bob/replies')).includes('hello back from A'));

    await reply(bob, Number(replyOnB.id), 'and back to A');
    const answerOnB = await noticeId(b, '@alice and back to A');
    assert.ok(answerOnB > 0);
    await waitFor('bob’s answer in the thread on A', async () => (await pageText(alice, `/conversation/${conversationOnA}`)).includes('@alice and back to A'), 20_000);
    const answerOnA = await a.runtime.ctx.db('notices').where({ content: '@alice and back to A' }).first();
    assert.equal(Number(answerOnA.in_reply_to), await noticeId(a, '@bob hello back from A'));
    assert.ok((await pageText(alice, '/alice/replies')).includes('and back to A'));
    const thread = await pageText(alice, `/conversation/${conversationOnA}`);
    assert.ok(thread.indexOf('Hello from B') < thread.indexOf('hello back from A') && thread.indexOf('hello back from A') < thread.indexOf('and back to A'), thread);
  });

  it('bob’s reply to dave, whom A does not know, brings dave’s notice from B into its thread on A', async () => {
    const dave = await registeredClient(b.url, 'dave');
    await post(dave, { content: 'Is anyone on A making soup?' });
    const daveNotice = await noticeId(b, 'Is anyone on A making soup?');
    await reply(bob, daveNotice, 'alice might be');
    await waitFor('bob’s reply and dave’s notice threaded on A', async () => {
      const replyOnA = await a.runtime.ctx.db('notices').where({ content: '@dave alice might be' }).first();
      return replyOnA?.in_reply_to != null;
    }, 20_000);
    const replyOnA = await a.runtime.ctx.db('notices').where({ content: '@dave alice might be' }).first();
    const daveOnA = await a.runtime.ctx.db('notices').where({ uri: `${b.url}/notice/${daveNotice}` }).first();
    assert.equal(Number(replyOnA.in_reply_to), Number(daveOnA.id));
    assert.equal(Number(replyOnA.conversation_id), Number(daveOnA.conversation_id));
    const daveProfile = await a.runtime.ctx.db('profiles').where({ uri: `${b.url}/users/dave`, is_local: false }).first();
    assert.equal(Number(daveOnA.profile_id), Number(daveProfile.id), 'dave is known on A from now on');
    assert.equal((await a.runtime.ctx.db('subscriptions').where({ subscribed_id: daveProfile.id })).length, 0, 'and followed by nobody');
    const thread = await pageText(alice, `/conversation/${daveOnA.conversation_id}`);
    assert.ok(thread.indexOf('Is anyone on A making soup?') < thread.indexOf('alice might be'), thread);
  });

  it('carol on B, a stranger to A, mentions @alice@A into her replies', async () => {
    const carol = await registeredClient(b.url, 'carol');
    await post(carol, { content: `@alice@${host(a)} we have not met, but hi` });
    const rendered = (await b.runtime.ctx.db('notices').where('content', 'like', '%we have not met%').first()).rendered as string;
    assert.ok(rendered.includes(`class="mention">alice@${host(a)}</a>`), rendered);
    await waitFor('carol’s mention among alice’s replies', async () => (await pageText(alice, '/alice/replies')).includes('we have not met, but hi'), 20_000);
    assert.ok(await a.runtime.ctx.db('profiles').where({ uri: `${b.url}/users/carol`, is_local: false }).first(), 'carol is known on A from now on');
  });

  it("bob's profile change reaches A", async () => {
    await bob.get('/settings/profile');
    const saved = await bob.post('/settings/profile', { fullname: 'Bob of B', bio: 'soup and federation', location: '', homepage: '' });
    assert.ok(saved.status < 400, String(saved.status));
    await waitFor('the new name on A', async () => (await pageText(alice, `/remote/${bobOnA}`)).includes('Bob of B'), 20_000);
    assert.ok((await pageText(alice, `/remote/${bobOnA}`)).includes('soup and federation'));
  });

  it('a notice posted while B is down reaches B once it is back', async () => {
    // bob follows alice back, so that her notices are delivered to B.
    await bob.get('/main/follow');
    assert.equal((await bob.post('/main/follow', { handle: `@alice@${host(a)}` })).status, 303);
    await waitFor('bob subscribed on B', async () => (await pageText(bob, '/bob/subscriptions')).includes(`alice@${host(a)}`), 20_000);
    await b.halt();
    await post(alice, { content: 'Posted while B was down' });
    const deliveries = () => a.runtime.ctx.db('pgboss.job').where({ name: 'ap.deliver' }).whereRaw("data->>'url' LIKE ?", [`${b.url}/%`]);
    await waitFor('a failed attempt', async () => (await deliveries()).some((job) => job.state === 'retry' && JSON.stringify(job.output).includes('ECONNREFUSED')), 20_000);
    await b.restart();
    await waitFor('the notice on B after its return', async () => (await pageText(bob, '/bob/all')).includes('Posted while B was down'), 30_000);
    assert.equal((await b.runtime.ctx.db('notices').where({ content: 'Posted while B was down' })).length, 1);
    assert.equal((await a.runtime.ctx.db('dead_deliveries')).length, 0);
  });

  it("alice's unsubscribing removes her from bob's subscribers", async () => {
    await alice.get(`/remote/${bobOnA}`);
    assert.equal((await alice.post(`/remote/${bobOnA}/unsubscribe`, {})).status, 303);
    await waitFor('alice gone from B', async () => !(await pageText(bob, '/bob/subscribers')).includes('alice@'), 20_000);
  });
});
