// Replies whose parent we do not have, from an independent ActivityPub server (the Fedify peer): the
// inbox stores the reply at once and a job fetches the note it answers from its own server (signed,
// through the outbound client), with a stranger author recorded but followed by nobody, then that
// note's parent, at most five notes up; a loop of replies ends; a parent that cannot be had (gone,
// followers-only, at a refused address) leaves the reply unthreaded, a failing server is asked
// again, a server blocked here is never asked; and a reply that came before its parent is threaded
// when the parent arrives.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { threadWaitingReplies } from '../../src/db/awaited-parents.ts';
import { listNoteAudiences } from '../../src/db/note-audiences.ts';
import { staffClient } from '../helpers/moderation.ts';
import { planOf } from '../helpers/query-plan.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
const FETCH_JOB = 'ap.parent.fetch';

const db = () => server.runtime.ctx.db;
const noticeByUri = async (uri: string) => db()('notices').where({ uri }).first();
const noteUri = (name: string, slug: string) => `${peer.actorUri(name)}/notes/${slug}`;

function note(name: string, slug: string, content: string, inReplyTo?: string, to: string[] = [PUBLIC]): Record<string, unknown> {
  return { id: noteUri(name, slug), type: 'Note', attributedTo: peer.actorUri(name), content, to, published: '2026-12-01T10:00:00Z', ...(inReplyTo ? { inReplyTo } : {}) };
}

// A note the peer serves at its id, for Ostrakon to fetch.
function serve(object: Record<string, unknown>): string {
  peer.objects.set(String(object.id), object);
  return String(object.id);
}

async function deliver(object: Record<string, unknown>): Promise<void> {
  const name = String(object.attributedTo).split('/').pop()!;
  const activity = { '@context': AS, id: `${String(object.id)}#create`, type: 'Create', actor: object.attributedTo, to: [PUBLIC], object };
  assert.equal((await peer.signedPost(name, `${server.url}/inbox`, JSON.stringify(activity))).status, 202);
}

const gets = (uri: string) => peer.requests.filter((r) => r.method === 'GET' && `${peer.url}${r.path}` === uri);

// Every parent fetch queued so far has finished (done or given up), none waits for a retry.
async function fetchesSettled(): Promise<void> {
  await waitFor('the parent fetches to settle', async () => {
    const jobs = await db()('pgboss.job').where({ name: FETCH_JOB });
    return jobs.every((job) => job.state === 'completed' || job.state === 'failed');
  }, 30_000);
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
  const peerId = (await db()('profiles').where({ uri: peer.actorUri('peer') }).first()).id;
  await waitFor('the subscription', async () => (await db()('subscriptions').where({ subscribed_id: peerId })).length === 1);
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('replies to notes we do not have', () => {
  it('stores the reply at once, then fetches its parent and grandparent from their server and threads them', async () => {
    const grandparent = serve(note('peer', 'soup-0', '<p>Soup recipes, anyone?</p>'));
    const parent = serve(note('mallory', 'soup-1', '<p>Where is the soup?</p>', grandparent));
    // The parent's server is slow: the inbox must not wait for it.
    let release!: () => void;
    peer.holds.set(parent, new Promise<void>((resolve) => (release = resolve)));
    const reply = note('peer', 'soup-2', '<p>In the pot, of course</p>', parent);
    await deliver(reply);
    const stored = await noticeByUri(String(reply.id));
    assert.ok(stored, 'stored before its parent is had');
    assert.equal(stored.in_reply_to, null);
    assert.equal(stored.in_reply_to_uri, parent);
    release();

    await waitFor('the whole thread here', async () => (await noticeByUri(grandparent)) !== undefined && (await noticeByUri(parent))?.in_reply_to !== null, 20_000);
    const [top, middle, answer] = await Promise.all([noticeByUri(grandparent), noticeByUri(parent), noticeByUri(String(reply.id))]);
    assert.equal(Number(middle.in_reply_to), Number(top.id));
    assert.equal(Number(answer.in_reply_to), Number(middle.id));
    assert.equal(answer.in_reply_to_uri, null);
    for (const row of [top, middle, answer]) assert.equal(Number(row.conversation_id), Number(top.id));

    // mallory, a stranger, is recorded with her actor, but nobody follows her.
    const mallory = await db()('profiles').where({ uri: peer.actorUri('mallory') }).first();
    assert.equal(Number(middle.profile_id), Number(mallory.id));
    assert.ok(await db()('ap_actors').where({ actor_id: peer.actorUri('mallory') }).first());
    assert.equal((await db()('subscriptions').where({ subscriber_id: mallory.id }).orWhere({ subscribed_id: mallory.id })).length, 0);
    // Fetched once each, signed by the site's actor.
    for (const uri of [parent, grandparent]) assert.deepEqual(gets(uri).map((r) => r.keyId), [`${server.url}/users/ostrakon#main-key`]);

    const thread = textOf((await alice.get(`/conversation/${top.id}`)).text);
    assert.ok(thread.indexOf('Soup recipes') < thread.indexOf('Where is the soup') && thread.indexOf('Where is the soup') < thread.indexOf('In the pot'), thread);
    // Context, not news: the old note of someone alice follows is kept out of her home timeline.
    await waitFor('the reply in her home timeline', async () => textOf((await alice.get('/alice/all')).text).includes('In the pot'));
    assert.ok(!textOf((await alice.get('/alice/all')).text).includes('Soup recipes'));
  });

  it('fetches at most five notes above the one that came in', async () => {
    let above: string | undefined;
    for (let i = 0; i < 8; i++) above = serve(note('peer', `chain-${i}`, `<p>link ${i} of the chain</p>`, above));
    await deliver(note('peer', 'chain-8', '<p>link 8 of the chain</p>', above));
    await waitFor('five fetched', async () => (await db()('notices').where('uri', 'like', `${noteUri('peer', 'chain-')}%`)).length === 6, 20_000);
    await fetchesSettled();
    for (let i = 3; i < 8; i++) assert.equal(gets(noteUri('peer', `chain-${i}`)).length, 1, `chain-${i}`);
    for (let i = 0; i < 3; i++) assert.equal(gets(noteUri('peer', `chain-${i}`)).length, 0, `chain-${i} is beyond the bound`);
    const highest = await noticeByUri(noteUri('peer', 'chain-3'));
    assert.equal(highest.in_reply_to_uri, noteUri('peer', 'chain-2'), 'it waits for its parent, should it come');
    const conversation = await db()('notices').where({ conversation_id: highest.id }).pluck('uri');
    assert.equal(conversation.length, 6);
  });

  it('ends a loop of replies', async () => {
    const first = noteUri('peer', 'loop-a');
    const second = serve(note('peer', 'loop-b', '<p>I answer loop-a</p>', first));
    serve(note('peer', 'loop-a', '<p>I answer loop-b</p>', second));
    await deliver(note('peer', 'loop-a', '<p>I answer loop-b</p>', second));
    await waitFor('loop-b fetched', async () => (await noticeByUri(second)) !== undefined, 20_000);
    await fetchesSettled();
    const [a, b] = await Promise.all([noticeByUri(first), noticeByUri(second)]);
    assert.equal(Number(b.in_reply_to), Number(a.id));
    assert.equal(a.in_reply_to, null, 'not threaded under its own answer');
    assert.equal(gets(second).length, 1);
    assert.equal(gets(first).length, 0, 'what we have is never fetched');
    assert.equal((await alice.get(`/conversation/${a.conversation_id}`)).status, 200);
  });

  it('leaves the reply unthreaded when its parent is gone, followers-only or at a refused address, without asking again', async () => {
    const gone = noteUri('peer', 'gone');
    const secret = serve(note('peer', 'secret', '<p>for my followers</p>', undefined, [`${peer.actorUri('peer')}/followers`]));
    const refused = 'http://169.254.169.254/notes/metadata';
    for (const [slug, parent] of [['to-gone', gone], ['to-secret', secret], ['to-refused', refused]] as const) await deliver(note('peer', slug, `<p>answering ${slug}</p>`, parent));
    await waitFor('three fetches', async () => (await db()('pgboss.job').where({ name: FETCH_JOB }).whereRaw("data->>'uri' = ANY(?)", [[gone, secret, refused]])).length === 3);
    await fetchesSettled();
    for (const slug of ['to-gone', 'to-secret', 'to-refused']) {
      const row = await noticeByUri(noteUri('peer', slug));
      assert.ok(row, `${slug} is kept`);
      assert.equal(row.in_reply_to, null);
    }
    assert.equal(await noticeByUri(secret), undefined, 'a followers-only note is not shown here');
    assert.equal(gets(gone).length, 1, 'a 404 is not asked again');
    const jobs = await db()('pgboss.job').where({ name: FETCH_JOB }).whereRaw("data->>'uri' = ANY(?)", [[gone, secret, refused]]);
    assert.ok(jobs.every((job) => job.state === 'completed' && job.retry_count === 0), JSON.stringify(jobs.map((j) => [j.data, j.state, j.retry_count])));
  });

  it('never asks a server blocked here', async () => {
    let asked = 0;
    const blocked = http.createServer((_req, res) => {
      asked++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => blocked.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(blocked.address() as AddressInfo).port}`;
      const admin = await staffClient(server, 'ada', 'admin');
      await admin.get('/admin/domains');
      assert.ok((await admin.post('/admin/domains', { host, severity: 'suspend', note: '' })).status < 400);
      const parent = `http://${host}/notes/1`;
      await deliver(note('peer', 'to-blocked', '<p>answering a blocked server</p>', parent));
      await waitFor('its fetch queued', async () => (await db()('pgboss.job').where({ name: FETCH_JOB }).whereRaw("data->>'uri' = ?", [parent])).length === 1);
      await fetchesSettled();
      assert.equal(asked, 0);
      assert.equal((await noticeByUri(noteUri('peer', 'to-blocked'))).in_reply_to_uri, parent, 'kept, waiting');
    } finally {
      blocked.closeAllConnections();
      await new Promise<void>((resolve) => blocked.close(() => resolve()));
    }
  });

  it('asks a failing server again', async () => {
    const parent = serve(note('peer', 'busy', '<p>I was busy</p>'));
    peer.failures.set(parent, 2);
    await deliver(note('peer', 'to-busy', '<p>are you there?</p>', parent));
    await waitFor('the parent after two failures', async () => (await noticeByUri(noteUri('peer', 'to-busy'))).in_reply_to !== null, 30_000);
    assert.equal(gets(parent).length, 3);
  });

  it('threads a reply that came before its parent, with its own answers, when the parent arrives', async () => {
    const parent = note('peer', 'late-parent', '<p>I come last</p>');
    const reply = note('peer', 'early-reply', '<p>I come first</p>', String(parent.id));
    const answer = note('peer', 'early-answer', '<p>I answer the early one</p>', String(reply.id));
    await deliver(reply); // the parent is not served yet: its fetch gives up
    await deliver(answer);
    await fetchesSettled();
    const early = await noticeByUri(String(reply.id));
    assert.equal(early.in_reply_to, null);
    assert.equal(Number((await noticeByUri(String(answer.id))).conversation_id), Number(early.id));

    await deliver(parent);
    const [top, middle, last] = await Promise.all([noticeByUri(String(parent.id)), noticeByUri(String(reply.id)), noticeByUri(String(answer.id))]);
    assert.equal(Number(middle.in_reply_to), Number(top.id));
    assert.equal(Number(last.in_reply_to), Number(middle.id));
    for (const row of [top, middle, last]) assert.equal(Number(row.conversation_id), Number(top.conversation_id));
    const thread = textOf((await alice.get(`/conversation/${top.conversation_id}`)).text);
    assert.ok(thread.indexOf('I come last') < thread.indexOf('I come first') && thread.indexOf('I come first') < thread.indexOf('I answer the early one'), thread);
    assert.equal((await alice.get(`/conversation/${early.id}`)).status, 404, 'the conversation it started is no more');
  });
});

describe('the queries behind it', () => {
  it('finds the replies waiting for a new notice, and reads a page’s addressing, through indexes', async () => {
    // The statements as the app sends them, for a URI nobody waits for (nothing changes), and their plans.
    const waiting = await planOf(db(), (d) => threadWaitingReplies(d, { id: 1, uri: 'https://elsewhere.example/notes/1', conversationId: 1 }), ['enable_seqscan']);
    assert.doesNotMatch(waiting, /Seq Scan/, waiting);
    assert.match(waiting, /notices_awaiting_parent/, waiting);
    const audiences = await planOf(db(), (d) => listNoteAudiences(d, [1, 2, 3]), ['enable_seqscan']);
    assert.doesNotMatch(audiences, /Seq Scan/, audiences);
  });
});
