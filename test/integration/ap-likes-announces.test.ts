// Favorites and repeats over ActivityPub, against the independent Fedify peer (and a second
// Ostrakon, whose notes the peer announces): Like and Undo(Like) of local notices counted once;
// Announce and Undo(Announce) into followers' home timelines, the note fetched from its own server;
// and what local users' favorites and repeats send out: Like, Undo(Like), Announce, Undo(Announce).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { latestNoticeId } from '../helpers/moderation.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let peer: ApPeer;
let alice: WebClient;
let carol: WebClient;
let bob: WebClient;

const AS = 'https://www.w3.org/ns/activitystreams';
const db = () => a.runtime.ctx.db;
const ofType = (type: string) => peer.received.filter((activity) => activity.type === type);

async function send(name: string, activity: Record<string, unknown>): Promise<number> {
  return (await peer.signedPost(name, `${a.url}/inbox`, JSON.stringify({ '@context': AS, ...activity }))).status;
}

async function favoriteCount(noticeId: number): Promise<number> {
  return (await db()('notices').where({ id: noticeId }).first('favorite_count')).favorite_count;
}

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV })]);
  [alice, carol, bob] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(a.url, 'carol'), registeredClient(b.url, 'bob')]);
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  // alice follows peer, and peer follows alice.
  await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
  await peer.follow('peer', await peer.resolve(`@alice@${new URL(a.url).host}`));
  await waitFor('both follows', async () => (await db()('subscriptions')).length === 2);
});
after(async () => {
  await peer?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('Like and Undo(Like) from another server', () => {
  let noticeId: number;
  const likeId = () => `${peer.actorUri('mallory')}#likes/1`;

  it('counts a Like of a local notice once, from someone nobody here follows, however often it comes', async () => {
    await alice.post('/notice/new', { content: 'like me', returnto: '/' });
    noticeId = await latestNoticeId(a, 'alice');
    const like = { id: likeId(), type: 'Like', actor: peer.actorUri('mallory'), object: `${a.url}/notice/${noticeId}` };
    for (let i = 0; i < 3; i++) assert.ok((await send('mallory', like)) < 300);
    assert.ok((await send('mallory', { ...like, id: `${likeId()}-again` })) < 300, 'a second Like of the same notice by the same actor');
    assert.equal(await favoriteCount(noticeId), 1);
    const row = await db()('favorites').where({ notice_id: noticeId }).first();
    assert.equal(row.uri, likeId());
    assert.match(textOf((await new WebClient(a.url).get(`/notice/${noticeId}`)).text), /1 favorite/);
  });

  it('ignores Likes of what is not a local notice, and a Like forged for someone else', async () => {
    const before = (await db()('favorites')).length;
    assert.ok((await send('mallory', { id: `${likeId()}-x`, type: 'Like', actor: peer.actorUri('mallory'), object: `${b.url}/notice/1` })) < 300);
    assert.ok((await send('mallory', { id: `${likeId()}-y`, type: 'Like', actor: peer.actorUri('mallory'), object: `${a.url}/notice/999999` })) < 300);
    assert.ok((await send('mallory', { id: `${likeId()}-z`, type: 'Like', actor: peer.actorUri('mallory'), object: `${a.url}/alice` })) < 300);
    const forged = await send('mallory', { id: `${peer.actorUri('peer')}#likes/9`, type: 'Like', actor: peer.actorUri('peer'), object: `${a.url}/notice/${noticeId}` });
    assert.ok(forged >= 400 && forged < 500, `a Like signed by someone else than its actor: ${forged}`);
    await alice.post('/notice/new', { content: 'not for the suspended', returnto: '/' });
    const another = await latestNoticeId(a, 'alice');
    await db()('profiles').where({ uri: peer.actorUri('mallory') }).update({ suspended_at: new Date() });
    let fromSuspended: number;
    try {
      fromSuspended = await send('mallory', { id: `${likeId()}-s`, type: 'Like', actor: peer.actorUri('mallory'), object: `${a.url}/notice/${another}` });
    } finally {
      await db()('profiles').where({ uri: peer.actorUri('mallory') }).update({ suspended_at: null });
    }
    assert.equal(fromSuspended, 403, 'a suspended person\'s activities are refused at the inbox');
    assert.equal((await db()('favorites')).length, before, 'nor a Like from a suspended person');
  });

  it('takes the Like back on Undo(Like) from its own actor only', async () => {
    const like = { id: likeId(), type: 'Like', actor: peer.actorUri('mallory'), object: `${a.url}/notice/${noticeId}` };
    assert.ok((await send('peer', { id: `${peer.actorUri('peer')}#undo/1`, type: 'Undo', actor: peer.actorUri('peer'), object: { ...like, actor: peer.actorUri('peer') } })) < 300);
    assert.equal(await favoriteCount(noticeId), 1, 'peer never liked it: nothing to undo');
    assert.ok((await send('mallory', { id: `${likeId()}/undo`, type: 'Undo', actor: peer.actorUri('mallory'), object: like })) < 300);
    assert.equal(await favoriteCount(noticeId), 0);
  });
});

describe('Announce and Undo(Announce) from another server', () => {
  let bobsNote: string;
  const announceId = (n: number) => `${peer.actorUri('peer')}/announces/${n}`;

  it("puts a followed person's Announce of a note on a third server in her followers' home timelines, fetched from its own server, once", async () => {
    assert.equal((await bob.post('/notice/new', { content: 'Written on B, passed on by peer', returnto: '/' })).status, 303);
    bobsNote = `${b.url}/notice/${await latestNoticeId(b, 'bob')}`;
    const announce = { id: announceId(1), type: 'Announce', actor: peer.actorUri('peer'), object: bobsNote, to: [`${AS}#Public`] };
    for (let i = 0; i < 2; i++) assert.ok((await send('peer', announce)) < 300);
    const original = await db()('notices').where({ uri: bobsNote }).first();
    assert.ok(original, 'the note was fetched from B and stored');
    assert.equal(original.content, 'Written on B, passed on by peer');
    const repeats = await db()('notices').where({ repeat_of: original.id });
    assert.equal(repeats.length, 1);
    assert.equal(repeats[0].uri, announceId(1));
    await waitFor("alice's home timeline", async () => noticeIds((await alice.get('/alice/all')).text).includes(repeats[0].id));
    assert.match(textOf((await alice.get('/alice/all')).text), /Repeated by Peer peer bob bob@127\.0\.0\.1:\d+ Written on B, passed on by peer/);
  });

  it('takes it back on Undo(Announce)', async () => {
    const announce = { id: announceId(1), type: 'Announce', actor: peer.actorUri('peer'), object: bobsNote };
    assert.ok((await send('peer', { id: `${announceId(1)}/undo`, type: 'Undo', actor: peer.actorUri('peer'), object: announce })) < 300);
    assert.equal((await db()('notices').where({ uri: announceId(1) })).length, 0);
    assert.ok(!/Repeated by Peer peer/.test(textOf((await alice.get('/alice/all')).text)));
  });

  it('records a stranger’s Announce of a local notice, and ignores strangers’ other Announces and ids off their site', async () => {
    await carol.post('/notice/new', { content: 'carol’s notice', returnto: '/' });
    const carols = await latestNoticeId(a, 'carol');
    const mallory = peer.actorUri('mallory');
    assert.ok((await send('mallory', { id: `${mallory}/announces/1`, type: 'Announce', actor: mallory, object: `${a.url}/notice/${carols}` })) < 300);
    assert.equal((await db()('notices').where({ repeat_of: carols })).length, 1);
    assert.ok((await send('mallory', { id: `${mallory}/announces/2`, type: 'Announce', actor: mallory, object: bobsNote })) < 300);
    assert.ok((await send('peer', { id: 'https://elsewhere.example/announces/3', type: 'Announce', actor: peer.actorUri('peer'), object: `${a.url}/notice/${carols}` })) < 300);
    assert.equal((await db()('notices').where({ uri: `${mallory}/announces/2` })).length, 0);
    assert.equal((await db()('notices').where({ uri: 'https://elsewhere.example/announces/3' })).length, 0);
    assert.ok((await send('peer', { id: announceId(4), type: 'Announce', actor: peer.actorUri('peer'), object: `${b.url}/notice/999999` })) < 300, 'a note that cannot be fetched');
    assert.equal((await db()('notices').where({ uri: announceId(4) })).length, 0);
  });
});

describe('favorites and repeats sent to other servers', () => {
  let peerNote: string;
  let peerNoticeId: number;

  before(async () => {
    peerNote = `${peer.actorUri('peer')}/notes/1`;
    const note = { id: peerNote, type: 'Note', attributedTo: peer.actorUri('peer'), content: '<p>a note from the peer</p>', to: [`${AS}#Public`] };
    assert.ok((await send('peer', { id: `${peerNote}/activity`, type: 'Create', actor: peer.actorUri('peer'), object: note })) < 300);
    peerNoticeId = (await db()('notices').where({ uri: peerNote }).first()).id;
  });

  it("sends a Like to the note's author when alice favorites it, and Undo(Like) naming it when she takes it back", async () => {
    await alice.get('/alice/all');
    assert.equal((await alice.post('/main/favor', { notice: String(peerNoticeId) })).status, 303);
    await waitFor('the Like at the peer', async () => ofType('Like').length === 1);
    const like = ofType('Like')[0]!.json;
    assert.equal(like.actor, `${a.url}/users/alice`);
    assert.equal(like.object, peerNote);
    assert.match(String(like.id), new RegExp(`^${a.url}/users/alice#likes/\\d+$`));
    assert.equal((await alice.post('/main/disfavor', { notice: String(peerNoticeId) })).status, 303);
    await waitFor('the Undo at the peer', async () => ofType('Undo').some((u) => (u.json.object as Record<string, unknown>)?.id === like.id));
    const undo = ofType('Undo').find((u) => (u.json.object as Record<string, unknown>)?.id === like.id)!.json;
    assert.equal(undo.actor, `${a.url}/users/alice`);
    assert.equal((undo.object as Record<string, unknown>).object, peerNote);
  });

  it("sends an Announce to alice's followers and the note's author (one delivery to the peer), and Undo(Announce)", async () => {
    assert.equal((await alice.post('/main/repeat', { notice: String(peerNoticeId) })).status, 303);
    await waitFor('the Announce at the peer', async () => ofType('Announce').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a second delivery would have arrived by now
    assert.equal(ofType('Announce').length, 1, 'follower and author share one inbox: one delivery');
    const announce = ofType('Announce')[0]!.json;
    assert.equal(announce.actor, `${a.url}/users/alice`);
    assert.equal(announce.object, peerNote);
    assert.deepEqual([announce.to, announce.cc].flat().sort(), ['as:Public', `${a.url}/users/alice/followers`, peer.actorUri('peer')].sort());
    const repeatId = (await db()('notices').where({ repeat_of: peerNoticeId }).first()).id;
    assert.equal(announce.id, `${a.url}/notice/${repeatId}#announce`);

    assert.equal((await alice.post('/main/unrepeat', { notice: String(peerNoticeId) })).status, 303);
    await waitFor('the Undo(Announce) at the peer', async () => ofType('Undo').some((u) => (u.json.object as Record<string, unknown>)?.id === announce.id));
  });

  it('announces a repeat of a local notice with the notice’s permalink, and lists it in her outbox', async () => {
    await carol.post('/notice/new', { content: 'local, repeated by alice', returnto: '/' });
    const carols = await latestNoticeId(a, 'carol');
    assert.equal((await alice.post('/main/repeat', { notice: String(carols) })).status, 303);
    await waitFor('the second Announce', async () => ofType('Announce').length === 2);
    assert.equal(ofType('Announce')[1]!.json.object, `${a.url}/notice/${carols}`);
    const repeatId = (await db()('notices').where({ repeat_of: carols, profile_id: (await db()('profiles').where({ nickname: 'alice', is_local: true }).first()).id }).first()).id;
    const outbox = await fetch(`${a.url}/users/alice/outbox?cursor=`, { headers: { accept: 'application/activity+json' } });
    assert.equal(outbox.status, 200);
    const items = ((await outbox.json()) as { orderedItems: Record<string, unknown>[] }).orderedItems;
    const announce = items.find((item) => item.type === 'Announce');
    assert.equal(announce?.object, `${a.url}/notice/${carols}`);
    assert.equal(announce?.id, `${a.url}/notice/${repeatId}#announce`);
    const asNote = await fetch(`${a.url}/notice/${repeatId}`, { headers: { accept: 'application/activity+json' } });
    assert.notEqual(asNote.headers.get('content-type')?.includes('activity+json'), true, 'a repeat is not served as a Note');
  });
});
