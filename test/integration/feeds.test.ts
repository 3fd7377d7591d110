import { pino } from 'pino';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, WebClient } from '../helpers/web-client.ts';
import { DELETION_MEMORY_DAYS, feedJobHandlers } from '../../src/domain/feed-upkeep.ts';
import { FEED_DELETIONS_PRUNE_JOB } from '../../src/domain/jobs.ts';

let server: TestServer;
let alice: WebClient;
let bob: WebClient;
const db = () => server.runtime.ctx.db;
const anonymous = () => new WebClient(server.url);
const HOSTILE = 'Tricky <b>bold</b> & "quotes" \'apos\' ]]> <![CDATA[x]]> 😀🇺🇦 #hostile';
const CONTROL = 'Remote \u0001text\u0008 with \u000b\u000c\u001f controls \uFFFE and ]]>';

type Xml = Record<string, any>;
// Local notices' permalinks, or the page of the one remote notice on its own server.
const permalink = () => new RegExp(`^(${server.url}/notice/\\d+|http://far\\.example/n/1)$`);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => ['item', 'entry', 'link'].includes(name) });

// Well-formed (fast-xml-parser's validator), no character XML forbids, then parsed.
function parseFeed(text: string): Xml {
  const valid = XMLValidator.validate(text);
  assert.equal(valid, true, `${JSON.stringify(valid)}\n${text.slice(0, 2000)}`);
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/, 'a character XML forbids');
  assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  return parser.parse(text) as Xml;
}

async function fetchFeed(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, server.url), { headers });
}

function checkRss(text: string): Xml[] {
  const channel = parseFeed(text).rss.channel as Xml;
  for (const name of ['title', 'link', 'description']) assert.ok(String(channel[name] ?? '').length > 0, `channel ${name}`);
  assert.ok(String(channel.link[0]).startsWith(server.url));
  const items = (channel.item ?? []) as Xml[];
  for (const item of items) {
    assert.match(String(item.guid['#text']), permalink());
    assert.equal(item.guid['@_isPermaLink'], 'true');
    assert.equal(item.link[0], item.guid['#text']);
    assert.ok(!Number.isNaN(Date.parse(item.pubDate)), item.pubDate);
    assert.ok(String(item['dc:creator']).length > 0);
  }
  return items;
}

function checkAtom(text: string): Xml[] {
  const feed = parseFeed(text).feed as Xml;
  assert.equal(feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
  for (const name of ['id', 'title', 'updated']) assert.ok(String(feed[name] ?? '').length > 0, `feed ${name}`);
  assert.ok((feed.link as Xml[]).some((l) => l['@_rel'] === 'self' && String(l['@_href']).startsWith(server.url)));
  const entries = (feed.entry ?? []) as Xml[];
  for (const entry of entries) {
    assert.match(String(entry.id), permalink());
    assert.ok(String(entry.title).length > 0);
    assert.match(String(entry.updated), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(String(entry.author.name).length > 0);
    assert.ok(String(entry.author.uri).startsWith('http'));
    assert.equal(entry.link[0]['@_href'], entry.id);
    assert.equal(entry.content['@_type'], 'html');
  }
  return entries;
}

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
  for (let i = 1; i <= 22; i++) assert.equal((await alice.post('/notice/new', { content: `alice ${i} #many`, returnto: '/' })).status, 303);
  assert.equal((await bob.post('/notice/new', { content: `${HOSTILE} @alice`, returnto: '/' })).status, 303);
  // Text that only another server could have sent (local posting refuses control characters).
  const [row] = await db()('profiles').insert({ nickname: 'remote', is_local: false, uri: 'http://far.example/remote', profile_url: 'http://far.example/remote' }).returning('id');
  await db()('notices').insert({ profile_id: row.id, content: CONTROL, rendered: CONTROL.replace(/&/g, '&amp;'), is_local: false, uri: 'http://far.example/n/1', url: 'http://far.example/n/1', conversation_id: 0 });
  const remoteNotice = await db()('notices').where({ uri: 'http://far.example/n/1' }).first('id');
  await db()('notice_tags').insert({ tag: 'hostile', notice_id: remoteNotice.id });
});
after(() => server.stop());

const FEEDS = ['/rss', '/atom', '/alice/rss', '/alice/atom', '/alice/replies/rss', '/alice/replies/atom', '/tag/hostile/rss', '/tag/hostile/atom', '/search/notice/rss?q=tricky', '/search/notice/atom?q=tricky'];

describe('feeds', () => {
  it('are well-formed RSS 2.0 and Atom 1.0 with the required elements, whatever the notices say', async () => {
    for (const path of FEEDS) {
      const response = await fetchFeed(path);
      assert.equal(response.status, 200, path);
      const text = await response.text();
      const rss = path.includes('/rss');
      assert.match(response.headers.get('content-type') ?? '', rss ? /^application\/rss\+xml; charset=utf-8/ : /^application\/atom\+xml; charset=utf-8/);
      const entries = rss ? checkRss(text) : checkAtom(text);
      assert.ok(entries.length > 0 && entries.length <= 20, `${path}: ${entries.length} entries`);
    }
  });

  it('carry the text escaped, absolute URLs and at most the latest 20 entries', async () => {
    const items = checkRss(await (await fetchFeed('/rss')).text());
    assert.equal(items.length, 20);
    const hostile = items[0]!;
    assert.equal(hostile.title, `bob: ${HOSTILE} @alice`);
    assert.match(hostile.description, /^Tricky &#60;b&#62;bold/, 'the stored HTML, escaped once more as text');
    assert.match(hostile.description, /<a href="http:\/\/127\.0\.0\.1:\d+\/tag\/hostile"/, 'absolute links');
    const entries = checkAtom(await (await fetchFeed('/tag/hostile/atom')).text());
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.id, 'http://far.example/n/1', 'a remote notice keeps its own permalink');
    assert.match(entries[0]!.title, /^remote@far\.example: Remote \uFFFDtext\uFFFD/);
    assert.equal(entries[1]!.author.name, 'bob');
    const alices = checkAtom(await (await fetchFeed('/alice/atom')).text());
    assert.deepEqual(alices.map((e) => e.title).slice(0, 2), ['alice: alice 22 #many', 'alice: alice 21 #many']);
    assert.equal(checkRss(await (await fetchFeed('/alice/replies/rss')).text()).length, 1);
  });

  it('answer 404 for unknown people and tags, and 400 for a bad search', async () => {
    for (const path of ['/nobody/rss', '/nobody/atom', '/nobody/replies/rss', '/nobody/replies/atom', '/tag/unused/rss', '/tag/unused/atom', '/tag/%E2%80%94/rss', '/No-Body/rss', '/alice/all/rss']) {
      assert.equal((await fetchFeed(path)).status, 404, path);
    }
    for (const path of ['/search/notice/rss', '/search/notice/atom?q=', `/search/notice/rss?q=${'x'.repeat(201)}`, '/search/notice/rss?q=-only', '/search/notice/rss?q=a&q=b']) {
      assert.equal((await fetchFeed(path)).status, 400, path);
    }
    const empty = await fetchFeed('/search/notice/atom?q=nothingmatches');
    assert.equal(empty.status, 200);
    assert.equal(checkAtom(await empty.text()).length, 0);
  });

  it('do not take over nicknames: "rss" and "atom" cannot be registered, pages stay pages', async () => {
    for (const nickname of ['rss', 'atom', 'tags', 'search', 'opensearch']) {
      const client = new WebClient(server.url);
      await client.get('/main/register');
      assert.equal((await client.post('/main/register', { nickname, password: 'long enough pass', email: '' })).status, 400, nickname);
    }
    assert.match((await anonymous().get('/alice')).headers.get('content-type') ?? '', /text\/html/);
    assert.match((await anonymous().get('/alice/replies')).headers.get('content-type') ?? '', /text\/html/);
  });

  it('are linked from their pages, in the head and visibly', async () => {
    const pages: [string, string][] = [['/', ''], ['/alice', '/alice'], ['/alice/replies', '/alice/replies'], ['/tag/many', '/tag/many'], ['/search/notice?q=tricky', '/search/notice']];
    for (const [page, base] of pages) {
      const html = (await anonymous().get(page)).text;
      const query = page.includes('?') ? '?q=tricky' : '';
      for (const [format, type] of [['rss', 'application/rss+xml'], ['atom', 'application/atom+xml']]) {
        assert.ok(html.includes(`<link rel="alternate" type="${type}" href="${base}/${format}${query}"`), `${page} head ${format}`);
        assert.ok(html.includes(`<a href="${base}/${format}${query}" type="${type}">`), `${page} visible ${format}`);
      }
    }
    assert.doesNotMatch((await alice.get('/alice/all')).text, /rel="alternate"/, 'no feed for the home timeline');
  });
});

describe('conditional GET', () => {
  // Everything the feeds show, an hour old (deletions included), so Last-Modified dates are settled.
  const backdate = async () => {
    await db()('notices').update({ created_at: db().raw("now() - interval '1 hour'") });
    await db()('profiles').update({ updated_at: db().raw("now() - interval '1 hour'") });
    await db()('notice_deletions').update({ deleted_at: db().raw("now() - interval '1 hour'") });
  };

  it('answers 304 to a matching ETag, and 200 with a new one after a new or deleted notice', async () => {
    for (const path of ['/atom', '/alice/rss', '/tag/many/atom', '/search/notice/rss?q=alice']) {
      const first = await fetchFeed(path);
      const etag = first.headers.get('etag')!;
      assert.match(etag, /^"[\w-]+"$/, path);
      assert.equal(first.headers.get('cache-control'), 'no-cache');
      const again = await fetchFeed(path, { 'if-none-match': etag });
      assert.equal(again.status, 304, path);
      assert.equal(await again.text(), '');
      assert.equal((await fetchFeed(path, { 'if-none-match': `"other", ${etag}` })).status, 304, 'one of a list');
      assert.equal((await fetchFeed(path, { 'if-none-match': '"other"' })).status, 200);
    }
    const etags = async () => Promise.all(['/atom', '/rss', '/alice/rss', '/tag/many/atom'].map(async (p) => (await fetchFeed(p)).headers.get('etag')));
    const start = await etags();
    assert.equal(new Set(start).size, 4, 'each feed and format has its own tag');

    await alice.post('/notice/new', { content: 'alice new #many', returnto: '/' });
    const afterPost = await etags();
    start.forEach((etag, i) => assert.notEqual(afterPost[i], etag));
    assert.equal((await fetchFeed('/alice/rss', { 'if-none-match': start[2]! })).status, 200);

    const newest = await db()('notices').where({ content: 'alice new #many' }).first('id');
    assert.equal((await alice.post(`/notice/delete/${newest.id}`, {})).status, 303);
    const afterDelete = await etags();
    afterDelete.forEach((etag, i) => assert.notEqual(etag, afterPost[i]));
    const middle = await db()('notices').where({ content: 'alice 15 #many' }).first('id');
    assert.equal((await alice.post(`/notice/delete/${middle.id}`, {})).status, 303);
    const afterMiddle = await etags();
    afterMiddle.forEach((etag, i) => assert.notEqual(etag, afterDelete[i], 'an older notice in the window went'));
    const bobs = (await fetchFeed('/alice/replies/rss')).headers.get('etag');
    await db()('profiles').where({ nickname: 'bob' }).update({ fullname: 'Bob B.', updated_at: db().fn.now() });
    assert.notEqual((await fetchFeed('/alice/replies/rss')).headers.get('etag'), bobs, 'an author changed');
  });

  it('answers 304 to If-Modified-Since until a notice is added or deleted', async () => {
    await backdate();
    const first = await fetchFeed('/alice/atom');
    const lastModified = first.headers.get('last-modified');
    assert.ok(lastModified && Date.now() - Date.parse(lastModified) > 30 * 60 * 1000, `${lastModified}`);
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': lastModified })).status, 304);
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() })).status, 200);
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': 'not a date' })).status, 200);
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': lastModified, 'if-none-match': '"other"' })).status, 200, 'the ETag decides');
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': lastModified, 'if-none-match': first.headers.get('etag')! })).status, 304);

    await alice.post('/notice/new', { content: 'alice newer', returnto: '/' });
    const fresh = await fetchFeed('/alice/atom', { 'if-modified-since': lastModified });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get('last-modified'), null, 'no date is given out while changes in its second may still commit');

    await backdate();
    const settled = (await fetchFeed('/alice/atom')).headers.get('last-modified')!;
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': settled })).status, 304);
    const victim = await db()('notices').where({ content: 'alice 20 #many' }).first('id');
    assert.equal((await alice.post(`/notice/delete/${victim.id}`, {})).status, 303);
    assert.equal((await fetchFeed('/alice/atom', { 'if-modified-since': settled })).status, 200, 'a deletion is a change');
  });

  it('keeps the validators when a notice older than the window is deleted', async () => {
    await backdate();
    const first = await fetchFeed('/alice/rss');
    const [etag, lastModified] = [first.headers.get('etag')!, first.headers.get('last-modified')!];
    const oldest = await db()('notices').where({ content: 'alice 1 #many' }).first('id');
    assert.equal((await alice.post(`/notice/delete/${oldest.id}`, {})).status, 303);
    assert.equal((await fetchFeed('/alice/rss', { 'if-none-match': etag })).status, 304);
    assert.equal((await fetchFeed('/alice/rss', { 'if-modified-since': lastModified })).status, 304);
    assert.equal(Number((await db()('notice_deletions').where({ notice_id: oldest.id }).count({ n: '*' }))[0]!.n), 1, 'the deletion is logged');
  });
});

describe('deletion log upkeep', () => {
  it('forgets deletions older than the memory window and keeps recent ones', async () => {
    const [recent, old] = [9_000_001, 9_000_002];
    await db()('notice_deletions').insert([
      { notice_id: recent, deleted_at: db().raw(`now() - interval '29 days'`) },
      { notice_id: old, deleted_at: db().raw(`now() - make_interval(days => ?)`, [DELETION_MEMORY_DAYS + 1]) },
    ]);
    await feedJobHandlers[FEED_DELETIONS_PRUNE_JOB]!(server.runtime.ctx, {}, { retryCount: 0, retryLimit: 2, logger: pino({ level: 'silent' }) });
    const left = (await db()('notice_deletions').whereIn('notice_id', [recent, old]).pluck('notice_id')).map(Number);
    assert.deepEqual(left, [recent]);
  });
});
