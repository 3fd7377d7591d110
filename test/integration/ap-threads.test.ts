// Replies, mentions, content warnings and edits between Ostrakon and an independent ActivityPub
// server (the Fedify peer): notes that answer a notice we have join its conversation; a Mention tag
// naming alice puts a note among her replies (with a mention email queued) even from a stranger,
// who is then fetched and introduced; a content warning is kept as text and folds the notice away,
// and leads its entry in RSS and Atom feeds (a repeat's too);
// an edit recomputes mentions and tags and moves the feeds' validators. Outbound, alice's reply
// and her @user@host mention carry inReplyTo, Mention tags and cc, and reach people who do not
// follow her; her outbox pages carry the same Notes; a deletion by a moderator or a closed report
// withdraws a notice from them as its author's own does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { staffClient } from '../helpers/moderation.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;
let aliceId: number;

const AS = 'https://www.w3.org/ns/activitystreams';

type NoteFields = { content: string; inReplyTo?: string; mentions?: string[]; summary?: string; tags?: Record<string, unknown>[] };

function note(from: string, id: string, fields: NoteFields): Record<string, unknown> {
  const tag = [...(fields.mentions ?? []).map((href) => ({ type: 'Mention', href, name: '@alice' })), ...(fields.tags ?? [])];
  return {
    id,
    type: 'Note',
    attributedTo: from,
    content: fields.content,
    url: `${id}.html`,
    to: [`${AS}#Public`],
    cc: fields.mentions ?? [],
    published: '2026-12-07T01:00:00Z',
    ...(fields.inReplyTo ? { inReplyTo: fields.inReplyTo } : {}),
    ...(fields.summary ? { summary: fields.summary } : {}),
    ...(tag.length > 0 ? { tag } : {}),
  };
}

async function send(name: string, type: 'Create' | 'Update', object: Record<string, unknown>, suffix: string = type): Promise<number> {
  const from = peer.actorUri(name);
  const activity = { '@context': AS, id: `${String(object.id)}#${suffix}`, type, actor: from, to: [`${AS}#Public`], object };
  return (await peer.signedPost(name, `${server.url}/inbox`, JSON.stringify(activity))).status;
}

const db = () => server.runtime.ctx.db;
const noticeByUri = async (uri: string) => db()('notices').where({ uri }).first();
const aliceActor = () => `${server.url}/users/alice`;

async function post(client: WebClient, fields: Record<string, string>): Promise<void> {
  const page = await client.post('/notice/new', { returnto: '/', ...fields });
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
}

function createsReceived(): Record<string, unknown>[] {
  return peer.received.filter((activity) => activity.type === 'Create').map((activity) => activity.json.object as Record<string, unknown>);
}

async function mentionEmailQueued(noticeId: number): Promise<boolean> {
  const jobs = await db()('pgboss.job').where({ name: 'email.notify-mention' });
  return jobs.some((job) => Number(job.data.userId) === aliceId && Number(job.data.noticeId) === noticeId);
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  aliceId = Number((await db()('profiles').where({ nickname: 'alice', is_local: true }).first()).id);
  await db()('users').where({ id: aliceId }).update({ email: 'alice@example.org', notify_mention: true });
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  // alice follows peer; nobody on the peer follows alice, so whatever reaches it was addressed to it.
  await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
  const peerProfileId = (await db()('profiles').where({ uri: peer.actorUri('peer') }).first()).id;
  await waitFor('the subscription', async () => (await db()('subscriptions').where({ subscriber_id: aliceId, subscribed_id: peerProfileId })).length === 1);
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('replies and mentions from an ActivityPub server', () => {
  it('threads a reply to alice’s notice under it, among her replies, with the email queued', async () => {
    await post(alice, { content: 'Soup tonight?' });
    const soup = await db()('notices').where({ content: 'Soup tonight?' }).first();
    const uri = `${peer.actorUri('peer')}/notes/reply-1`;
    const reply = note(peer.actorUri('peer'), uri, { content: '<p>yes please</p>', inReplyTo: `${server.url}/notice/${soup.id}`, mentions: [aliceActor()] });
    assert.equal(await send('peer', 'Create', reply), 202);
    const row = await noticeByUri(uri);
    assert.equal(Number(row.in_reply_to), Number(soup.id));
    assert.equal(Number(row.conversation_id), Number(soup.conversation_id));
    const thread = textOf((await alice.get(`/conversation/${soup.conversation_id}`)).text);
    assert.ok(thread.includes('Soup tonight?') && thread.includes('yes please'), thread);
    assert.ok(textOf((await alice.get('/alice/replies')).text).includes('yes please'));
    assert.ok(await mentionEmailQueued(Number(row.id)));
  });

  it('threads a reply to a remote notice we have into that notice’s conversation', async () => {
    const first = `${peer.actorUri('peer')}/notes/root-2`;
    assert.equal(await send('peer', 'Create', note(peer.actorUri('peer'), first, { content: '<p>Who likes leek soup?</p>' })), 202);
    const second = `${peer.actorUri('peer')}/notes/reply-2`;
    assert.equal(await send('peer', 'Create', note(peer.actorUri('peer'), second, { content: '<p>I do, and I said so</p>', inReplyTo: first })), 202);
    const root = await noticeByUri(first);
    const child = await noticeByUri(second);
    assert.equal(Number(child.in_reply_to), Number(root.id));
    assert.equal(Number(child.conversation_id), Number(root.id));
    const thread = textOf((await alice.get(`/conversation/${root.id}`)).text);
    assert.ok(thread.indexOf('Who likes leek soup?') < thread.indexOf('I do, and I said so'), thread);
    assert.ok(!textOf((await alice.get('/alice/replies')).text).includes('leek soup'), 'it mentions nobody here');
  });

  it('takes a stranger’s mention of alice into her replies, and introduces the stranger', async () => {
    const uri = `${peer.actorUri('mallory')}/notes/hello`;
    const hello = note(peer.actorUri('mallory'), uri, { content: '<p><span class="h-card"><a href="x" class="u-url mention">@<span>alice</span></a></span> we have not met</p>', mentions: [aliceActor()] });
    assert.equal(await send('mallory', 'Create', hello), 202);
    const row = await noticeByUri(uri);
    assert.ok(row, 'stored though alice does not follow mallory');
    const mallory = await db()('profiles').where({ uri: peer.actorUri('mallory') }).first();
    assert.equal(Number(row.profile_id), Number(mallory.id));
    assert.ok(await db()('ap_actors').where({ actor_id: peer.actorUri('mallory') }).first(), 'known from now on');
    assert.deepEqual((await db()('mentions').where({ notice_id: row.id })).map((m) => Number(m.profile_id)), [aliceId]);
    assert.ok(textOf((await alice.get('/alice/replies')).text).includes('we have not met'));
    assert.ok(await mentionEmailQueued(Number(row.id)));
  });

  it('ignores a stranger’s note that speaks to nobody here, and takes their reply to alice’s notice, threaded', async () => {
    const aside = `${peer.actorUri('ghost')}/notes/aside`;
    assert.equal(await send('ghost', 'Create', note(peer.actorUri('ghost'), aside, { content: '<p>to the peer only</p>', inReplyTo: `${peer.actorUri('peer')}/notes/unknown` })), 202);
    assert.equal(await noticeByUri(aside), undefined);
    assert.equal(await db()('profiles').where({ uri: peer.actorUri('ghost') }).first(), undefined, 'and is not introduced');
    const soup = await db()('notices').where({ content: 'Soup tonight?' }).first();
    const uri = `${peer.actorUri('ghost')}/notes/late`;
    assert.equal(await send('ghost', 'Create', note(peer.actorUri('ghost'), uri, { content: '<p>late to the soup</p>', inReplyTo: `${server.url}/notice/${soup.id}` })), 202);
    const row = await noticeByUri(uri);
    assert.equal(Number(row.conversation_id), Number(soup.conversation_id));
    assert.ok(await mentionEmailQueued(Number(row.id)), 'the author answered is told, as for local replies');
  });

  it('keeps a content warning as text and folds the notice behind it', async () => {
    const uri = `${peer.actorUri('peer')}/notes/cw`;
    const warned = note(peer.actorUri('peer'), uri, { content: '<p>the ending: they all had soup</p>', summary: '<p>film <b>spoilers</b> &amp; <script>alert(1)</script>more</p>' });
    assert.equal(await send('peer', 'Create', warned), 202);
    assert.equal((await noticeByUri(uri)).summary, 'film spoilers & more');
    await waitFor('her home timeline', async () => (await alice.get('/alice/all')).text.includes('they all had soup'));
    const home = (await alice.get('/alice/all')).text;
    assert.match(home, /<details class="content-warning"><summary><span class="cw-label">Content warning:<\/span> film spoilers &amp; more<\/summary>\s*<p class="notice-text"><p>the ending: they all had soup<\/p><\/p>\s*<\/details>/);
    assert.ok(!home.includes('alert(1)'));
  });

  it('puts a content warning in front in the feeds: the title, Atom’s summary, and the HTML before the text; a repeat keeps it', async () => {
    const uri = `${peer.actorUri('peer')}/notes/cw-feed`;
    const warned = note(peer.actorUri('peer'), uri, { content: '<p>@alice the butler made the soup</p>', mentions: [aliceActor()], summary: 'mystery &lt;spoilers&gt; &amp; more' }); // the text “mystery <spoilers> & more”
    assert.equal(await send('peer', 'Create', warned), 202);
    const warning = 'Content warning: mystery &lt;spoilers&gt; &amp; more';
    // In the HTML (itself escaped in the XML): the warning, escaped, ruled off before the text.
    const html = '&lt;p&gt;&lt;strong&gt;Content warning:&lt;/strong&gt; mystery &amp;#60;spoilers&amp;#62; &amp;#38; more&lt;/p&gt;&lt;hr&gt;&lt;p&gt;@alice the butler made the soup&lt;/p&gt;';
    const entryOf = (feed: string, tag: string) => [...feed.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!).find((entry) => entry.includes('the butler'))!;

    const rss = entryOf(await (await fetch(`${server.url}/alice/replies/rss`)).text(), 'item');
    assert.ok(rss, 'listed among her replies');
    assert.ok(rss.includes(`<title>peer@${peer.host}: ${warning}</title>`), rss);
    assert.ok(rss.includes(`<description>${html}</description>`), rss);
    assert.ok(!/<title>[^<]*butler/.test(rss), 'the title does not give the text away');

    const atom = entryOf(await (await fetch(`${server.url}/alice/replies/atom`)).text(), 'entry');
    assert.ok(atom.includes(`<title>peer@${peer.host}: ${warning}</title>`), atom);
    assert.ok(atom.includes(`<summary type="text">${warning}</summary>`), atom);
    assert.ok(atom.includes(`<content type="html">${html}</content>`), atom);

    // alice repeats it: her own feed lists the repeat behind the same warning.
    const row = await noticeByUri(uri);
    assert.equal((await alice.post('/main/repeat', { notice: String(row.id) })).status, 303);
    const repeat = entryOf(await (await fetch(`${server.url}/alice/atom`)).text(), 'entry');
    assert.ok(repeat.includes(`<summary type="text">${warning}</summary>`), repeat);
    assert.ok(repeat.includes(`<title>alice: ${warning}</title>`), repeat);
    // A notice without a warning has none.
    const plain = [...(await (await fetch(`${server.url}/alice/atom`)).text()).matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1]!).find((e) => e.includes('Soup tonight?'))!;
    assert.ok(plain && !plain.includes('<summary') && !plain.includes('Content warning'), plain);
  });

  it('recomputes mentions and tags on Update(Note), and moves the feeds’ validators', async () => {
    const uri = `${peer.actorUri('peer')}/notes/edited`;
    assert.equal(await send('peer', 'Create', note(peer.actorUri('peer'), uri, { content: '<p>hello world #draft</p>' })), 202);
    const id = Number((await noticeByUri(uri)).id);
    const validators = async (path: string) => {
      const response = await fetch(`${server.url}${path}`);
      await response.arrayBuffer();
      return { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
    };
    const feedBefore = await validators('/alice/replies/rss');
    const tagBefore = await validators('/tag/draft/rss');

    const withMention = note(peer.actorUri('peer'), uri, { content: '<p>@alice hello world #final</p>', mentions: [aliceActor()], summary: 'now warned' });
    assert.equal(await send('peer', 'Update', withMention, 'update-1'), 202);
    assert.deepEqual((await db()('mentions').where({ notice_id: id })).map((m) => Number(m.profile_id)), [aliceId]);
    assert.deepEqual(await db()('notice_tags').where({ notice_id: id }).pluck('tag'), ['final']);
    assert.equal((await noticeByUri(uri)).summary, 'now warned');
    assert.ok(textOf((await alice.get('/alice/replies')).text).includes('hello world'));
    assert.ok(await mentionEmailQueued(id), 'newly mentioned: told');
    assert.notEqual((await validators('/alice/replies/rss')).etag, feedBefore.etag);
    assert.equal((await fetch(`${server.url}/tag/draft/rss`)).status, 404, 'no notice is tagged #draft any more');
    assert.ok(tagBefore.etag);

    // Once settled, the feed has a Last-Modified; dropping the mention moves it although the notice left the feed.
    await waitFor('a settled Last-Modified', async () => (await validators('/alice/replies/rss')).lastModified !== null, 10_000);
    const settled = await validators('/alice/replies/rss');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // HTTP dates have whole seconds
    assert.equal(await send('peer', 'Update', note(peer.actorUri('peer'), uri, { content: '<p>hello world, to everyone</p>' }), 'update-2'), 202);
    assert.deepEqual(await db()('mentions').where({ notice_id: id }), []);
    assert.equal((await noticeByUri(uri)).summary, null);
    assert.ok(!textOf((await alice.get('/alice/replies')).text).includes('hello world'));
    await waitFor('a later Last-Modified', async () => {
      const now = await validators('/alice/replies/rss');
      return now.lastModified !== null && Date.parse(now.lastModified) > Date.parse(settled.lastModified!) && now.etag !== settled.etag;
    }, 10_000);
  });
});

describe('replies and mentions to an ActivityPub server', () => {
  it('addresses a reply to the remote author: inReplyTo, Mention tag and cc, delivered though he does not follow alice', async () => {
    const root = await noticeByUri(`${peer.actorUri('peer')}/notes/root-2`);
    assert.equal((await alice.get(`/notice/new?inreplyto=${root.id}`)).status, 200);
    await post(alice, { content: '@peer leek soup, always', inreplyto: String(root.id) });
    const mine = await db()('notices').where({ content: '@peer leek soup, always' }).first();
    assert.equal(Number(mine.conversation_id), Number(root.id), 'threaded here too');
    await waitFor('the Create at the peer', async () => createsReceived().some((object) => object.content !== undefined && String(object.id).endsWith(`/notice/${mine.id}`)));
    const sent = createsReceived().find((object) => String(object.id).endsWith(`/notice/${mine.id}`))!;
    assert.equal(sent.inReplyTo, `${peer.actorUri('peer')}/notes/root-2`);
    const tags = [sent.tag].flat() as Record<string, unknown>[];
    assert.ok(tags.some((tag) => tag.type === 'Mention' && tag.href === peer.actorUri('peer') && tag.name === `@peer@${peer.host}`), JSON.stringify(tags));
    assert.ok([sent.cc].flat().includes(peer.actorUri('peer')), JSON.stringify(sent.cc));
  });

  it('links and addresses @user@host of someone met before, and serves the Note with the same tags', async () => {
    await post(alice, { content: `nice to meet you @mallory@${peer.host}, and @nobody@${peer.host}` });
    const mine = await db()('notices').where('content', 'like', 'nice to meet you%').first();
    const mallory = await db()('profiles').where({ uri: peer.actorUri('mallory') }).first();
    assert.deepEqual((await db()('mentions').where({ notice_id: mine.id })).map((m) => Number(m.profile_id)), [Number(mallory.id)]);
    assert.ok(mine.rendered.includes(`@<a href="${peer.actorUri('mallory')}" class="mention">mallory@${peer.host}</a>`), mine.rendered);
    assert.ok(mine.rendered.includes(`@nobody@${peer.host}`) && !mine.rendered.includes('>nobody@'), 'an unknown handle stays text');
    await waitFor('the Create at the peer', async () => createsReceived().some((object) => String(object.id).endsWith(`/notice/${mine.id}`)));
    const sent = createsReceived().find((object) => String(object.id).endsWith(`/notice/${mine.id}`))!;
    assert.deepEqual([sent.tag].flat(), [{ type: 'Mention', href: peer.actorUri('mallory'), name: `@mallory@${peer.host}` }]);
    assert.deepEqual([sent.cc].flat(), [`${server.url}/users/alice/followers`, peer.actorUri('mallory')]);
    const served = await fetch(`${server.url}/notice/${mine.id}`, { headers: { accept: 'application/activity+json' } });
    const json = (await served.json()) as Record<string, unknown>;
    assert.deepEqual([json.tag].flat(), [sent.tag].flat());
  });

  it('serves outbox pages whose Notes carry inReplyTo, Mention and Hashtag tags as /notice/:id does, read in one query per page', async () => {
    await post(alice, { content: '#leeks are in season' });
    await waitFor('the distributions done', async () => (await db()('pgboss.job').where({ name: 'notice.distribute' }).whereNot({ state: 'completed' })).length === 0);
    const json = async (url: string) => (await (await fetch(url, { headers: { accept: 'application/activity+json' } })).json()) as Record<string, unknown>;
    const outbox = await json(`${server.url}/users/alice/outbox`);
    const audienceQueries: string[] = [];
    const listener = (query: { sql: string }) => {
      if (query.sql.includes('FROM mentions m')) audienceQueries.push(query.sql);
    };
    db().on('query', listener);
    let page: Record<string, unknown>;
    try {
      page = await json(String(outbox.first));
    } finally {
      db().off('query', listener);
    }
    const creates = ([page.orderedItems].flat() as Record<string, unknown>[]).filter((item) => item.type === 'Create');
    assert.ok(creates.length >= 4, `${creates.length} Creates`);
    assert.equal(audienceQueries.length, 1, 'one query for the whole page');
    const notes = creates.map((create) => create.object as Record<string, unknown>);
    const tags = (note: Record<string, unknown>) => [note.tag ?? []].flat() as Record<string, unknown>[];

    const reply = notes.find((note) => String(note.content).endsWith('leek soup, always'))!;
    assert.equal(reply.inReplyTo, `${peer.actorUri('peer')}/notes/root-2`);
    assert.ok(tags(reply).some((tag) => tag.type === 'Mention' && tag.href === peer.actorUri('peer')));
    const meeting = notes.find((note) => String(note.content).startsWith('nice to meet you'))!;
    assert.deepEqual(tags(meeting), [{ type: 'Mention', href: peer.actorUri('mallory'), name: `@mallory@${peer.host}` }]);
    const leeks = notes.find((note) => String(note.content).includes('are in season'))!;
    assert.deepEqual(tags(leeks).map((tag) => [tag.type, tag.name]), [['Hashtag', '#leeks']]);
    for (const note of notes) {
      const served = await json(String(note.id));
      for (const field of ['inReplyTo', 'tag', 'cc', 'to']) assert.deepEqual([served[field] ?? []].flat(), [note[field] ?? []].flat(), `${field} of ${String(note.id)}`);
    }
  });

  it('withdraws a deleted reply from the author it answered, who does not follow alice', async () => {
    const mine = await db()('notices').where({ content: '@peer leek soup, always' }).first();
    assert.equal((await alice.get(`/notice/delete/${mine.id}`)).status, 200);
    assert.equal((await alice.post(`/notice/delete/${mine.id}`, {})).status, 303);
    await waitFor('the Delete at the peer', async () => deleteReceived(Number(mine.id)));
  });

  it('withdraws a reply a moderator deletes from the author it answered, as its author’s deletion does', async () => {
    const root = await noticeByUri(`${peer.actorUri('peer')}/notes/root-2`);
    await post(alice, { content: '@peer leek soup, once more', inreplyto: String(root.id) });
    const mine = await db()('notices').where({ content: '@peer leek soup, once more' }).first();
    await waitFor('the Create at the peer', async () => createsReceived().some((object) => String(object.id).endsWith(`/notice/${mine.id}`)));
    const moderator = await staffClient(server, 'mod', 'moderator');
    assert.equal((await moderator.get(`/admin/notices/${mine.id}/delete`)).status, 200);
    assert.equal((await moderator.post(`/admin/notices/${mine.id}/delete`, { note: 'off topic' })).status, 303);
    assert.equal((await db()('notices').where({ id: mine.id })).length, 0);
    await waitFor('the Delete at the peer', async () => deleteReceived(Number(mine.id)));
  });

  it('withdraws a notice deleted by closing a report from the person it mentioned', async () => {
    await post(alice, { content: `so long @mallory@${peer.host}` });
    const mine = await db()('notices').where({ content: `so long @mallory@${peer.host}` }).first();
    await waitFor('the Create at the peer', async () => createsReceived().some((object) => String(object.id).endsWith(`/notice/${mine.id}`)));
    const reporter = await registeredClient(server.url, 'rita');
    await reporter.get(`/main/report?notice=${mine.id}`);
    assert.equal((await reporter.post('/main/report', { profile: '', notice: String(mine.id), reason: 'spam', comment: '' })).status, 200);
    const report = await db()('reports').where({ notice_id: mine.id }).first();
    const admin = await staffClient(server, 'ada', 'admin');
    await admin.get(`/admin/reports/${report.id}`);
    assert.equal((await admin.post(`/admin/reports/${report.id}/close`, { action: 'delete-notice', note: '' })).status, 303);
    assert.equal((await db()('notices').where({ id: mine.id })).length, 0);
    await waitFor('the Delete at the peer', async () => deleteReceived(Number(mine.id)));
  });
});

function deleteReceived(noticeId: number): boolean {
  return peer.received.some((activity) => activity.type === 'Delete' && (activity.json.object as { id?: string }).id === `${server.url}/notice/${noticeId}`);
}
