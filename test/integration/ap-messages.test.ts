// Direct messages over ActivityPub, between two Ostrakons and with the independent Fedify peer:
// a Note addressed to its one recipient only, POSTed to her personal inbox; inbound direct Notes
// land in the addressee's inbox (once, and withdrawn on Delete) and never on a public page; notes
// for nobody here, or from people she does not follow, are dropped; OMB-only people cannot be
// written to.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV, remoteSubscribe } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import type { TestSmtpServer } from '../helpers/smtp.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const AS = 'https://www.w3.org/ns/activitystreams';

let a: TestServer;
let b: TestServer;
let peer: ApPeer;
let smtp: TestSmtpServer;
let alice: WebClient; // on A
let carol: WebClient; // on A, follows nobody
let bob: WebClient; // on B
let rita: WebClient; // on B, subscribes to alice over OMB only
const hostOf = (server: TestServer) => new URL(server.url).host;

async function send(client: WebClient, to: string, content: string) {
  await client.get('/message/new');
  return client.post('/message/new', { to, content });
}

async function followOverActivityPub(client: WebClient, handle: string): Promise<void> {
  await client.get('/main/follow');
  const page = await client.post('/main/follow', { handle });
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
}

const profileIdOn = async (server: TestServer, uri: string) => Number((await server.runtime.ctx.db('profiles').where({ uri }).first('id')).id);
const subscribed = async (server: TestServer, subscriber: number, subscribedTo: number) =>
  (await server.runtime.ctx.db('subscriptions').where({ subscriber_id: subscriber, subscribed_id: subscribedTo })).length === 1;
const localId = async (server: TestServer, nickname: string) => Number((await server.runtime.ctx.db('profiles').where({ nickname, is_local: true }).first('id')).id);

// A direct Note from the peer, as Mastodon sends one: to the addressees, nobody in cc, mentioning them.
function directCreate(from: string, noteId: string, html: string, to: string[]): Record<string, unknown> {
  return {
    '@context': AS,
    id: `${noteId}/activity`,
    type: 'Create',
    actor: from,
    to,
    object: { id: noteId, type: 'Note', attributedTo: from, content: html, to, cc: [], tag: to.map((href) => ({ type: 'Mention', href })), published: '2026-12-07T04:00:00Z' },
  };
}

before(async () => {
  smtp = await startSmtpServer();
  [a, b] = await Promise.all([startTestServer({ env: { ...FEDERATION_ENV, SMTP_URL: smtp.url } }), startTestServer({ env: FEDERATION_ENV })]);
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  [alice, carol, bob, rita] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(a.url, 'carol'), registeredClient(b.url, 'bob'), registeredClient(b.url, 'rita')]);
  // alice and bob follow each other over ActivityPub; the peer follows alice and she follows it.
  await followOverActivityPub(bob, `@alice@${hostOf(a)}`);
  await followOverActivityPub(alice, `@bob@${hostOf(b)}`);
  await followOverActivityPub(alice, `@peer@${peer.host}`);
  await peer.follow('peer', await peer.resolve(`alice@${hostOf(a)}`));
  const [aliceA, bobA, peerA, aliceB, bobB] = [
    await localId(a, 'alice'),
    await profileIdOn(a, `${b.url}/users/bob`),
    await profileIdOn(a, peer.actorUri('peer')),
    await profileIdOn(b, `${a.url}/users/alice`),
    await localId(b, 'bob'),
  ];
  await waitFor('the four follows accepted', async () =>
    (await subscribed(a, bobA, aliceA)) && (await subscribed(a, aliceA, bobA)) && (await subscribed(a, aliceA, peerA)) && (await subscribed(a, peerA, aliceA)) && (await subscribed(b, aliceB, bobB)) && (await subscribed(b, bobB, aliceB)),
  20_000);
  // rita subscribes to alice over OMB 0.1, which has no private messages.
  const { finish } = await remoteSubscribe(a, 'alice', rita, `${b.url}/rita`);
  assert.equal(finish.status, 303, textOf(finish.text));
  // alice wants email about messages.
  await alice.get('/settings/email');
  await alice.post('/settings/email', { email: 'alice@example.org' });
  const link = linkIn(await smtp.next((m) => m.envelopeTo.includes('alice@example.org')), '/main/confirmaddress/');
  await alice.get(link);
  assert.equal((await alice.post(link)).status, 303);
});
after(async () => {
  await peer?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  await smtp?.stop();
});

describe('direct messages between two Ostrakons', () => {
  it('alice writes to bob@B: it reaches his inbox there, and no page or table of notices on either side', async () => {
    const sent = await send(alice, `bob@${hostOf(b)}`, 'Between us: the #plan is ready, bob');
    assert.equal(sent.status, 303, textOf(sent.text));
    assert.match(textOf((await alice.get('/alice/outbox')).text), new RegExp(`To bob\\S* bob@${hostOf(b).replace(/[.]/g, '\\.')} Between us`));
    await waitFor('the message in bob’s inbox on B', async () => textOf((await bob.get('/bob/inbox')).text).includes('Between us: the #plan is ready'), 20_000);
    for (const server of [a, b]) assert.equal((await server.runtime.ctx.db('notices').where('content', 'like', '%Between us%')).length, 0);
    for (const path of ['/', '/bob', '/bob/all', '/tag/plan', '/rss', '/search/notice?q=between']) {
      assert.ok(!(await new WebClient(b.url).get(path)).text.includes('Between us'), `B ${path}`);
      assert.ok(!(await bob.get(path)).text.includes('Between us'), `B ${path} for bob`);
    }
    const row = await b.runtime.ctx.db('messages').where('content', 'like', 'Between us%').first();
    assert.equal(row.uri, `${a.url}/message/${(await a.runtime.ctx.db('messages').where('content', 'like', 'Between us%').first('id')).id}`);
    assert.equal(row.in_sender_box, false);
  });

  it('bob answers alice@A from his inbox: she gets it, and an email', async () => {
    const inbox = await bob.get('/bob/inbox');
    const reply = /href="(\/message\/new\?to=[^"]+)" class="reply"/.exec(inbox.text)?.[1];
    assert.equal(reply, `/message/new?to=${encodeURIComponent(`alice@${hostOf(a)}`)}`);
    const form = await bob.get(reply!.replace(/&amp;/g, '&'));
    assert.match(form.text, new RegExp(`name="to"[^>]*value="alice@${hostOf(a)}"`));
    assert.equal((await send(bob, `alice@${hostOf(a)}`, 'Got it, thanks')).status, 303);
    await waitFor('the answer in alice’s inbox on A', async () => textOf((await alice.get('/alice/inbox')).text).includes('Got it, thanks'), 20_000);
    const mail = await smtp.next((m) => m.envelopeTo.includes('alice@example.org') && /direct message/.test(m.subject));
    assert.match(mail.subject, /^New direct message from bob \(bob\) on Ostrakon$/);
    assert.match(mail.text, /Got it, thanks/);
    assert.equal((await alice.get(linkIn(mail, '/message/'))).status, 200);
  });

  it('refuses rita@B, who subscribes to alice over OMB only, with a clear message; her page offers no "Message"', async () => {
    const before = Number((await a.runtime.ctx.db('messages').count({ n: '*' }).first())!.n);
    const page = await send(alice, `rita@${hostOf(b)}`, 'can you read this?');
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /reached only over OpenMicroBlogging 0\.1, which has no private messages/);
    assert.match(page.text, />can you read this\?<\/textarea>/);
    assert.equal(Number((await a.runtime.ctx.db('messages').count({ n: '*' }).first())!.n), before);
    const ritaOnA = Number((await a.runtime.ctx.db('profiles').where({ nickname: 'rita', is_local: false }).first('id')).id);
    assert.doesNotMatch((await alice.get(`/remote/${ritaOnA}`)).text, /class="message-link"/);
    const bobOnA = await profileIdOn(a, `${b.url}/users/bob`);
    assert.match((await alice.get(`/remote/${bobOnA}`)).text, new RegExp(`href="/message/new\\?to=bob%40${encodeURIComponent(hostOf(b)).replace(/[.]/g, '\\.')}"`));
  });
});

describe('direct messages with an independent ActivityPub server', () => {
  it('sends the peer a Note addressed to it alone, to its personal inbox', async () => {
    const postsBefore = peer.requests.filter((r) => r.method === 'POST').length;
    assert.equal((await send(alice, `peer@${peer.host}`, 'Only for you, peer')).status, 303);
    await waitFor('the Create at the peer', async () => peer.received.some((activity) => activity.type === 'Create' && JSON.stringify(activity.json).includes('Only for you')), 20_000);
    const create = peer.received.find((activity) => activity.type === 'Create' && JSON.stringify(activity.json).includes('Only for you'))!.json;
    const note = create.object as Record<string, unknown>;
    const peerActor = peer.actorUri('peer');
    assert.deepEqual([create.to].flat(), [peerActor]);
    assert.deepEqual([note.to].flat(), [peerActor]);
    for (const object of [create, note]) for (const field of ['cc', 'bto', 'bcc', 'audience']) assert.equal(object[field], undefined, field);
    assert.doesNotMatch(JSON.stringify(create), /#Public|as:Public|followers/);
    assert.equal(note.attributedTo, `${a.url}/users/alice`);
    assert.deepEqual([note.tag].flat().map((tag) => (tag as Record<string, unknown>).href), [peerActor]);
    const posts = peer.requests.filter((r) => r.method === 'POST').slice(postsBefore);
    assert.ok(posts.some((r) => r.path === '/actors/peer/inbox' && r.keyId === `${a.url}/users/alice#main-key`), JSON.stringify(posts));
    assert.ok(!posts.some((r) => r.path === '/inbox'), 'never the shared inbox');
  });

  const noteId = () => `${peer.actorUri('peer')}/notes/dm-1`;

  it('receives the peer’s direct Note into alice’s inbox once, however often it arrives, and tells her by email', async () => {
    const activity = directCreate(peer.actorUri('peer'), noteId(), '<p><span class="h-card"><a href="x">@alice</a></span> the key is under the <b>mat</b><script>x()</script></p>', [`${a.url}/users/alice`]);
    for (let i = 0; i < 3; i++) assert.ok((await peer.signedPost('peer', `${a.url}/users/alice/inbox`, JSON.stringify(activity))).status < 300);
    const rows = await a.runtime.ctx.db('messages').where({ uri: noteId() });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].content, '@alice the key is under the mat');
    assert.doesNotMatch(rows[0].rendered, /script|<b>/);
    assert.match(textOf((await alice.get('/alice/inbox')).text), /From Peer peer peer@127\.0\.0\.1:\d+ @alice the key is under the mat/);
    const mail = await smtp.next((m) => m.envelopeTo.includes('alice@example.org') && /Peer peer/.test(m.subject));
    assert.match(mail.text, /the key is under the mat/);
  });

  it('never shows it on a public page, a feed, search, tags, a notice page or the peer’s page here', async () => {
    const peerOnA = await profileIdOn(a, peer.actorUri('peer'));
    assert.equal((await a.runtime.ctx.db('notices').where({ uri: noteId() })).length, 0);
    const paths = ['/', '/alice', '/alice/all', '/alice/replies', `/remote/${peerOnA}`, '/rss', '/alice/replies/rss', '/search/notice?q=mat', '/search/notice/atom?q=mat', '/tags'];
    for (const client of [new WebClient(a.url), alice, carol]) {
      for (const path of paths) assert.ok(!(await client.get(path)).text.includes('under the mat'), path);
    }
  });

  it('withdraws it when the peer deletes it', async () => {
    const remove = { '@context': AS, id: `${noteId()}#delete`, type: 'Delete', actor: peer.actorUri('peer'), to: [`${a.url}/users/alice`], object: { id: noteId(), type: 'Tombstone' } };
    assert.ok((await peer.signedPost('peer', `${a.url}/users/alice/inbox`, JSON.stringify(remove))).status < 300);
    assert.equal((await a.runtime.ctx.db('messages').where({ uri: noteId() })).length, 0);
    assert.ok(!(await alice.get('/alice/inbox')).text.includes('under the mat'));
  });

  it('drops a direct Note for someone here who does not follow its author: no message, no notice', async () => {
    const id = `${peer.actorUri('peer')}/notes/dm-carol`;
    assert.ok((await peer.signedPost('peer', `${a.url}/users/carol/inbox`, JSON.stringify(directCreate(peer.actorUri('peer'), id, '<p>psst carol</p>', [`${a.url}/users/carol`])))).status < 300);
    assert.equal((await a.runtime.ctx.db('messages').where({ uri: id })).length, 0);
    assert.equal((await a.runtime.ctx.db('notices').where({ uri: id })).length, 0);
    assert.ok(!(await carol.get('/carol/inbox')).text.includes('psst'));
  });

  it('drops a direct Note for people elsewhere that reaches the shared inbox: never stored as a notice', async () => {
    const id = `${peer.actorUri('peer')}/notes/dm-mallory`;
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(directCreate(peer.actorUri('peer'), id, '<p>psst mallory</p>', [peer.actorUri('mallory')])))).status < 300);
    assert.equal((await a.runtime.ctx.db('notices').where({ uri: id })).length, 0);
    assert.equal((await a.runtime.ctx.db('messages').where({ uri: id })).length, 0);
    assert.ok(!(await alice.get('/alice/all')).text.includes('psst mallory'));
  });

  it('does not take a note for the author’s followers (naming alice too) as a direct message', async () => {
    const id = `${peer.actorUri('peer')}/notes/followers-1`;
    const activity = directCreate(peer.actorUri('peer'), id, '<p>to my followers</p>', [`${peer.actorUri('peer')}/followers`, `${a.url}/users/alice`]);
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(activity))).status < 300);
    assert.equal((await a.runtime.ctx.db('messages').where({ uri: id })).length, 0);
  });

  it('still stores the peer’s public notes as notices', async () => {
    const id = `${peer.actorUri('peer')}/notes/public-1`;
    const activity = directCreate(peer.actorUri('peer'), id, '<p>hello everyone</p>', [`${AS}#Public`]);
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(activity))).status < 300);
    assert.equal((await a.runtime.ctx.db('notices').where({ uri: id })).length, 1);
    assert.equal((await a.runtime.ctx.db('messages').where({ uri: id })).length, 0);
  });
});
