// Moderation of people on other servers, with the independent ActivityPub peer: reports about
// them are forwarded as a Flag (by the reporter's choice or a moderator's), a Flag from their server
// becomes a report here, the moderation actions apply to them (silence hides their notices from tag
// pages; suspension removes their content and subscriptions, hides them and refuses their
// activities), and their Delete of themselves removes what they brought here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { latestNoticeId, profileId, staffClient } from '../helpers/moderation.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const AS = 'https://www.w3.org/ns/activitystreams';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;
let bob: WebClient;
let moderator: WebClient;
let aliceId: number;
const ids: Record<string, number> = {};

const db = () => server.runtime.ctx.db;
const subscribed = async (subscriber: number, subscribed: number) => (await db()('subscriptions').where({ subscriber_id: subscriber, subscribed_id: subscribed })).length === 1;
const noticesOf = async (id: number) => (await db()('notices').where({ profile_id: id })).length;
const flags = () => peer.received.filter((a) => a.type === 'Flag').map((a) => a.json);
const send = async (name: string, activity: Record<string, unknown>) => (await peer.signedPost(name, `${server.url}/inbox`, JSON.stringify(activity))).status;

function create(name: string, n: number, content: string): Record<string, unknown> {
  const id = `${peer.actorUri(name)}/notes/${n}`;
  const note = { id, type: 'Note', attributedTo: peer.actorUri(name), content, to: [`${AS}#Public`], published: '2026-12-07T06:30:00Z' };
  return { '@context': AS, id: `${id}/activity`, type: 'Create', actor: peer.actorUri(name), to: [`${AS}#Public`], object: note };
}

// alice and `name` on the peer follow each other; `name` has said something tagged.
async function befriend(name: string): Promise<void> {
  peer.answers.set(name, 'accept');
  await peer.follow(name, await peer.resolve(`@alice@${new URL(server.url).host}`));
  await alice.get('/main/follow');
  await alice.post('/main/follow', { handle: `@${name}@${peer.host}` });
  ids[name] = Number((await db()('profiles').where({ uri: peer.actorUri(name) }).first('id')).id);
  await waitFor(`alice and ${name} follow each other`, async () => (await subscribed(aliceId, ids[name]!)) && (await subscribed(ids[name]!, aliceId)));
  assert.ok((await send(name, create(name, 1, `<p>${name} says #frompeer</p>`))) < 300);
  assert.equal(await noticesOf(ids[name]!), 1);
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  peer = await startApPeer();
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
  moderator = await staffClient(server, 'mod', 'moderator');
  aliceId = await profileId(server, 'alice');
  await befriend('peer');
  await befriend('mallory');
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('reports about people on other servers', () => {
  it('forwards a report as a Flag from the site when the reporter asks, without naming her', async () => {
    const noticeId = Number((await db()('notices').where({ profile_id: ids.peer }).first('id')).id);
    const form = await bob.get(`/main/report?notice=${noticeId}`);
    assert.match(textOf(form.text), new RegExp(`Also send this report to the moderators of ${peer.host.replace(/\./g, '\\.')}`));
    const page = await bob.post('/main/report', { profile: '', notice: String(noticeId), reason: 'spam', comment: 'buy pills', forward: 'yes' });
    assert.equal(page.status, 200, textOf(page.text).slice(0, 300));
    await waitFor('the Flag at the peer', async () => flags().length === 1);
    const flag = flags()[0]!;
    assert.equal(flag.actor, `${server.url}/users/ostrakon`);
    assert.deepEqual(flag.object, [peer.actorUri('peer'), `${peer.actorUri('peer')}/notes/1`]);
    assert.equal(flag.content, 'buy pills');
    assert.doesNotMatch(JSON.stringify(flag), /bob/);
    await waitFor('the report marked as forwarded', async () => (await db()('reports').orderBy('id', 'desc').first()).forwarded_at !== null);
  });

  it('lets a moderator forward a report later, once', async () => {
    assert.equal((await bob.post('/main/report', { profile: String(ids.peer), notice: '', reason: 'abuse', comment: 'rude', forward: '' })).status, 200);
    const reportId = Number((await db()('reports').orderBy('id', 'desc').first('id')).id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(flags().length, 1, 'not forwarded unless asked');
    const page = await moderator.get(`/admin/reports/${reportId}`);
    assert.match(textOf(page.text), /not told Send this report to their server/);
    assert.equal((await moderator.post(`/admin/reports/${reportId}/forward`, {})).status, 303);
    await waitFor('the second Flag', async () => flags().length === 2);
    assert.equal(flags()[1]!.content, 'rude');
    await waitFor('shown as sent', async () => /sent this report on/.test(textOf((await moderator.get(`/admin/reports/${reportId}`)).text)));
    assert.equal((await moderator.post(`/admin/reports/${reportId}/forward`, {})).status, 409);
    assert.equal((await db()('moderation_log').orderBy('id', 'desc').first()).action, 'forward-report');
    assert.equal((await alice.post(`/admin/reports/${reportId}/forward`, {})).status, 403, 'not for ordinary people');
  });

  it('turns a Flag from another server into a report about a local person and notice', async () => {
    assert.equal((await alice.post('/notice/new', { content: 'alice says something', returnto: '/' })).status, 303);
    const noticeId = await latestNoticeId(server, 'alice');
    const flag = { '@context': AS, id: `${peer.actorUri('peer')}#flags/1`, type: 'Flag', actor: peer.actorUri('peer'), object: [`${server.url}/users/alice`, `${server.url}/notice/${noticeId}`], content: 'Spam from your user' };
    assert.ok((await send('peer', flag)) < 300);
    const report = await db()('reports').where({ target_id: aliceId }).first();
    assert.ok(report, 'a report was stored');
    assert.deepEqual([Number(report.notice_id), report.origin, report.comment, Number(report.reporter_id)], [noticeId, peer.host, 'Spam from your user', ids.peer]);
    const list = textOf((await moderator.get('/admin/reports')).text);
    assert.match(list, new RegExp(`alice \\(notice ${noticeId}\\) peer, via ${peer.host.replace(/\./g, '\\.')}`));
    // A Flag about nobody here is ignored.
    const stray = { '@context': AS, id: `${peer.actorUri('peer')}#flags/2`, type: 'Flag', actor: peer.actorUri('peer'), object: [peer.actorUri('mallory')], content: 'not yours' };
    assert.ok((await send('peer', stray)) < 300);
    assert.equal((await db()('reports').where({ comment: 'not yours' })).length, 0);
  });
});

describe('moderating people on other servers', () => {
  it('shows staff a Moderate link and page; others get 403', async () => {
    assert.match((await moderator.get(`/remote/${ids.peer}`)).text, new RegExp(`href="/admin/remote/${ids.peer}"`));
    assert.doesNotMatch((await alice.get(`/remote/${ids.peer}`)).text, /href="\/admin\/remote\//);
    const page = await moderator.get(`/admin/remote/${ids.peer}`);
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), new RegExp(`Moderate peer@${peer.host.replace(/\./g, '\\.')}`));
    assert.equal((await alice.get(`/admin/remote/${ids.peer}`)).status, 403);
    assert.equal((await alice.post(`/admin/remote/${ids.peer}/suspend`, { note: '' })).status, 403);
    assert.equal((await moderator.get('/admin/remote/999999')).status, 404);
    assert.equal((await moderator.post(`/admin/remote/${ids.peer}/obliterate`, { note: '' })).status, 404);
  });

  it('silences one: their notices leave the tag page, and come back when it is lifted', async () => {
    const tagged = async () => textOf((await new WebClient(server.url).get('/tag/frompeer')).text).includes('peer says');
    assert.equal(await tagged(), true);
    assert.equal((await moderator.post(`/admin/remote/${ids.peer}/silence`, { note: 'noisy' })).status, 303);
    assert.equal(await tagged(), false);
    assert.match(textOf((await alice.get('/alice/all')).text), /peer says/, 'her subscribers still see them');
    const log = await db()('moderation_log').orderBy('id', 'desc').first();
    assert.deepEqual([log.action, log.target_name, log.note], ['silence', `peer@${peer.host}`, 'noisy']);
    assert.equal((await moderator.post(`/admin/remote/${ids.peer}/unsilence`, { note: '' })).status, 303);
    assert.equal(await tagged(), true);
  });

  it('suspends one by closing a report: content and subscriptions go, the profile answers 410, their activities 403', async () => {
    const reportId = Number((await db()('reports').where({ target_id: ids.peer }).orderBy('id').first('id')).id);
    const page = await moderator.post(`/admin/reports/${reportId}/close`, { action: 'suspend', note: 'enough' });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    assert.equal(await noticesOf(ids.peer!), 0);
    assert.equal(await subscribed(aliceId, ids.peer!), false);
    assert.equal(await subscribed(ids.peer!, aliceId), false);
    assert.equal((await alice.get(`/remote/${ids.peer}`)).status, 410);
    assert.equal(await send('peer', create('peer', 2, '<p>still here</p>')), 403);
    assert.equal(await noticesOf(ids.peer!), 0);
    peer.answers.delete('peer');
    await alice.get('/main/follow');
    const follow = await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
    assert.equal(follow.status, 403);
    assert.match(textOf(follow.text), /suspended on this site/);

    assert.equal((await moderator.post(`/admin/remote/${ids.peer}/unsuspend`, { note: '' })).status, 303);
    assert.equal((await alice.get(`/remote/${ids.peer}`)).status, 200);
    assert.equal(await subscribed(aliceId, ids.peer!), false, 'lifting it does not bring subscriptions back');
  });
});

describe('a remote person deleting their account', () => {
  it('removes their notices, subscriptions and profile here', async () => {
    const remove = { '@context': AS, id: `${peer.actorUri('mallory')}#delete`, type: 'Delete', actor: peer.actorUri('mallory'), object: peer.actorUri('mallory'), to: [`${AS}#Public`] };
    assert.ok((await send('mallory', remove)) < 300);
    assert.equal(await noticesOf(ids.mallory!), 0);
    assert.equal(await subscribed(aliceId, ids.mallory!), false);
    assert.equal(await subscribed(ids.mallory!, aliceId), false);
    assert.equal((await db()('profiles').where({ id: ids.mallory })).length, 0);
  });
});
