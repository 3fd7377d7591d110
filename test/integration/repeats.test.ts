// Repeats through the real HTTP interface: the button on other people's notices (POST /main/repeat
// and /main/unrepeat, field `notice`), the repeat in the repeater's stream and, fanned out, in their
// subscribers' home timelines as "Repeated by", one per person per notice, a repeat of a repeat
// repeating the original, and bad input refused with nothing written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { filePart, stripedImage } from '../helpers/images.ts';
import { latestNoticeId, profileId } from '../helpers/moderation.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let alice: WebClient;
let bob: WebClient;
let carol: WebClient;
let dave: WebClient;
let original: number;
const db = () => server.runtime.ctx.db;
const notices = async () => Number((await db()('notices').count({ n: '*' }))[0]!.n);
const repeatOf = async (nickname: string, id: number) =>
  (await db()('notices').where({ profile_id: await profileId(server, nickname), repeat_of: id }).first('id'))?.id as number | undefined;

before(async () => {
  server = await startTestServer();
  [alice, bob, carol, dave] = [
    await registeredClient(server.url, 'alice'),
    await registeredClient(server.url, 'bob'),
    await registeredClient(server.url, 'carol'),
    await registeredClient(server.url, 'dave'),
  ];
  await carol.post('/main/subscribe', { subscribeto: 'bob' });
  await dave.post('/main/subscribe', { subscribeto: 'bob' });
  await dave.post('/main/subscribe', { subscribeto: 'alice' });
  assert.equal((await alice.post('/notice/new', { content: 'Worth passing on #news', returnto: '/' })).status, 303);
  original = await latestNoticeId(server, 'alice');
});
after(() => server?.stop());

describe('repeating a notice', () => {
  let repeat: number;

  it("puts bob's repeat in his stream and his subscribers' home timelines as “Repeated by bob”", async () => {
    const page = await bob.get('/alice');
    assert.match(page.text, /action="\/main\/repeat"/);
    const answer = await bob.post('/main/repeat', { notice: String(original), returnto: `/alice#notice-${original}` });
    assert.equal(answer.status, 303, textOf(answer.text));
    assert.equal(answer.location, `/alice#notice-${original}`);
    repeat = (await repeatOf('bob', original))!;
    assert.ok(repeat > original);

    const stream = await new WebClient(server.url).get('/bob');
    assert.deepEqual(noticeIds(stream.text), [repeat]);
    assert.match(textOf(stream.text), /Repeated by bob alice Worth passing on #news/);
    assert.match(stream.text, /data-count="notices">1</);
    await waitFor("carol's home timeline", async () => noticeIds((await carol.get('/carol/all')).text).includes(repeat));
    assert.match(textOf((await carol.get('/carol/all')).text), /Repeated by bob alice Worth passing on/);
    assert.match((await bob.get('/bob')).text, /Undo repeat/, 'the button says what it will do');
    assert.deepEqual(noticeIds((await new WebClient(server.url).get('/')).text), [original], 'the public timeline shows the notice once');
  });

  it('shows a repeat once to whoever has its original already', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the fan-out job has run (carol's above)
    assert.deepEqual(noticeIds((await dave.get('/dave/all')).text), [original]);
  });

  it('shows the original on the repeat’s page, and carries “RT @alice: …” in feeds', async () => {
    const page = await new WebClient(server.url).get(`/notice/${repeat}`);
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), /Repeated by bob alice Worth passing on #news/);
    assert.match(page.text, new RegExp(`href="/notice/${original}" class="permalink"`));
    const rss = await new WebClient(server.url).get('/bob/rss');
    assert.match(rss.text, /<title>bob: RT @alice: Worth passing on #news<\/title>/);
    const search = await new WebClient(server.url).get('/search/notice?q=passing');
    assert.deepEqual(noticeIds(search.text), [original], 'search finds the original, not the repeat');
    assert.deepEqual(noticeIds((await new WebClient(server.url).get('/tag/news')).text), [original]);
  });

  it('repeats the original when asked to repeat a repeat, and favorites the original from a repeat', async () => {
    assert.equal((await carol.post('/main/repeat', { notice: String(repeat) })).status, 303);
    assert.ok(await repeatOf('carol', original));
    assert.equal((await carol.post('/main/favor', { notice: String(repeat) })).status, 303);
    assert.equal((await db()('notices').where({ id: original }).first('favorite_count')).favorite_count, 1);
  });

  it('refuses one’s own notice, a second repeat, and missing, removed, silenced or unnamed notices, writing nothing', async () => {
    const before = await notices();
    const own = await alice.post('/main/repeat', { notice: String(original) });
    assert.equal(own.status, 403);
    assert.match(textOf(own.text), /cannot repeat your own notice/);
    assert.equal((await alice.post('/main/repeat', { notice: String(repeat) })).status, 403, 'not through someone’s repeat either');
    const twice = await bob.post('/main/repeat', { notice: String(original) });
    assert.equal(twice.status, 409);
    assert.match(textOf(twice.text), /already repeated this notice/);
    assert.equal((await bob.post('/main/repeat', { notice: '99999999' })).status, 404);
    assert.equal((await bob.post('/main/repeat', { notice: 'x1' })).status, 400);
    assert.equal((await bob.post('/main/repeat', { notice: String(original), _csrf: 'forged' })).status, 403);
    assert.equal((await new WebClient(server.url).post('/main/repeat', { notice: String(original) })).status, 403);
    assert.equal(await notices(), before);

    await dave.post('/notice/new', { content: 'from someone moderated', returnto: '/' });
    const daves = await latestNoticeId(server, 'dave');
    const daveId = await profileId(server, 'dave');
    await db()('profiles').where({ id: daveId }).update({ silenced_at: new Date() });
    const silenced = await bob.post('/main/repeat', { notice: String(daves) });
    assert.equal(silenced.status, 403);
    assert.match(textOf(silenced.text), /cannot be repeated/);
    await db()('profiles').where({ id: daveId }).update({ silenced_at: null, suspended_at: new Date() });
    assert.equal((await bob.post('/main/repeat', { notice: String(daves) })).status, 410);
    await db()('profiles').where({ id: daveId }).update({ suspended_at: null });
    assert.equal(await notices(), before + 1, 'only dave’s notice was added');
  });

  it('takes a repeat back: gone from the stream and the home timelines; a second undo is refused', async () => {
    const answer = await bob.post('/main/unrepeat', { notice: String(original), returnto: '/bob' });
    assert.equal(answer.status, 303);
    assert.equal(await repeatOf('bob', original), undefined);
    assert.deepEqual(noticeIds((await new WebClient(server.url).get('/bob')).text), []);
    assert.ok(!noticeIds((await carol.get('/carol/all')).text).includes(repeat));
    const again = await bob.post('/main/unrepeat', { notice: String(original) });
    assert.equal(again.status, 409);
    assert.match(textOf(again.text), /have not repeated this notice/);
    assert.match((await new WebClient(server.url).get('/bob')).text, /data-count="notices">0</);
  });

  it('goes with the original when the original is deleted', async () => {
    assert.ok(await repeatOf('carol', original));
    await alice.get(`/notice/delete/${original}`);
    assert.equal((await alice.post(`/notice/delete/${original}`, {})).status, 303);
    assert.equal(await repeatOf('carol', original), undefined);
    assert.deepEqual(noticeIds((await new WebClient(server.url).get('/carol')).text), []);
  });
});

describe('replies and repeats', () => {
  it('answers the original when replying to a repeat; “@bob …” answers his latest notice of his own, not a repeat', async () => {
    await carol.post('/notice/new', { content: 'carol writes', returnto: '/' });
    const carols = await latestNoticeId(server, 'carol');
    await bob.post('/notice/new', { content: 'bob writes', returnto: '/' });
    const bobs = await latestNoticeId(server, 'bob');
    assert.equal((await bob.post('/main/repeat', { notice: String(carols) })).status, 303);
    const bobsRepeat = (await repeatOf('bob', carols))!;

    assert.equal((await dave.post('/notice/new', { content: 'a reply to a repeat', inreplyto: String(bobsRepeat) })).status, 303);
    assert.equal((await db()('notices').where({ content: 'a reply to a repeat' }).first()).in_reply_to, carols);
    assert.equal((await dave.post('/notice/new', { content: '@bob hello', returnto: '/' })).status, 303);
    assert.equal((await db()('notices').where({ content: '@bob hello' }).first()).in_reply_to, bobs);
  });
});

describe('a repeat of a notice with pictures', () => {
  it('shows the original’s pictures with it', async () => {
    await carol.get('/notice/new');
    const form = new FormData();
    form.append('returnto', '/');
    form.append('content', 'look at this');
    form.append('picture1', filePart(await stripedImage('png'), 'stripes.png', 'image/png'));
    form.append('alt1', 'blue and white stripes');
    assert.equal((await carol.postMultipart('/notice/new', form)).status, 303);
    const pictured = await latestNoticeId(server, 'carol');
    assert.equal((await dave.post('/main/repeat', { notice: String(pictured) })).status, 303);
    const stream = await new WebClient(server.url).get('/dave');
    assert.match(textOf(stream.text), /Repeated by dave carol look at this/);
    assert.match(stream.text, /<img[^>]+alt="blue and white stripes"/);
  });
});
