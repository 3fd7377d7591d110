import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import { planOf } from '../helpers/query-plan.ts';
import { searchNotices, searchProfiles } from '../../src/db/search.ts';
import { readFeedStamp } from '../../src/db/feed-stamps.ts';

let server: TestServer;
let alice: WebClient;
const db = () => server.runtime.ctx.db;
const anonymous = () => new WebClient(server.url);
const search = (kind: 'notice' | 'people', q: string, extra = '') => anonymous().get(`/search/${kind}?q=${encodeURIComponent(q)}${extra}`);
const peopleIn = (html: string) => [...html.matchAll(/<ul class="people[^"]*">([\s\S]*?)<\/ul>/g)].flatMap((m) => [...m[1]!.matchAll(/<a href="\/([a-z0-9]+)">/g)].map((a) => a[1]!));

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
  const bob = await registeredClient(server.url, 'bob');
  await registeredClient(server.url, 'al');
  await registeredClient(server.url, 'malice');
  await db()('profiles').where({ nickname: 'bob' }).update({ fullname: 'Robert Smithson' });
  for (const content of ['Fresh bread at the bakery #food', 'The café on the corner serves Kaffee und Kuchen', '100% sure: foo_bar is not foo-bar', 'He said "hello world" twice', '日本語 のテキスト']) {
    assert.equal((await bob.post('/notice/new', { content, returnto: '/' })).status, 303);
  }
  for (let i = 1; i <= 25; i++) assert.equal((await alice.post('/notice/new', { content: `paging needle ${i}`, returnto: '/' })).status, 303);
});
after(() => server.stop());

describe('notice search', () => {
  it('finds notices by their words, in any language, newest first', async () => {
    const bread = await search('notice', 'Bread');
    assert.equal(bread.status, 200);
    assert.match(textOf(bread.text), /Fresh bread at the bakery/);
    assert.equal(noticeIds(bread.text).length, 1);
    assert.equal(noticeIds((await search('notice', 'café')).text).length, 1);
    assert.equal(noticeIds((await search('notice', 'und')).text).length, 1, 'no stop words dropped');
    assert.equal(noticeIds((await search('notice', '日本語')).text).length, 1);
    assert.equal(noticeIds((await search('notice', 'food')).text).length, 1, 'a tag is a word');
    assert.equal(noticeIds((await search('notice', '"hello world"')).text).length, 1, 'a phrase');
    assert.equal(noticeIds((await search('notice', '"world hello"')).text).length, 0, 'a phrase keeps its order');
    assert.equal(noticeIds((await search('notice', 'bread or café')).text).length, 2);
    assert.equal(noticeIds((await search('notice', 'needle -paging')).text).length, 0);
    assert.match(textOf((await search('notice', 'nothingmatchesthis')).text), /No notices match/);
  });

  it('pages with ?before= and keeps the search in the link; past the end is 404', async () => {
    const ids = (await db()('notices').where('content', 'like', 'paging needle%').orderBy('id', 'desc').select('id')).map((r) => Number(r.id));
    const first = await search('notice', 'needle');
    assert.deepEqual(noticeIds(first.text), ids.slice(0, 20));
    const older = /<a href="([^"]+)" rel="next">/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    assert.equal(older, `/search/notice?q=needle&before=${ids[19]}`);
    const second = await anonymous().get(older!);
    assert.deepEqual(noticeIds(second.text), ids.slice(20));
    assert.doesNotMatch(second.text, /rel="next"/);
    assert.equal((await search('notice', 'needle', `&before=${ids[24]}`)).status, 404);
    assert.equal((await search('notice', 'needle', '&before=abc')).status, 400);
  });

  it('shows only the form for an empty search', async () => {
    for (const path of ['/search/notice', '/search/notice?q=', '/search/notice?q=%20%20']) {
      const page = await anonymous().get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.text, /<input type="search" id="search-q" name="q" value=""/);
      assert.doesNotMatch(page.text, /Results for/);
    }
  });

  it('treats quotes, wildcards, backslashes, operators and SQL as text, never a 500', async () => {
    const before = Number((await db()('notices').count({ n: '*' }))[0]!.n);
    const hostile = ['"', "'", '""', '"unbalanced', 'a:*', 'foo:*', '&|!', '!(foo)', '&', '|', '<->', 'foo <-> bar', '100%', '%', '_', 'foo_bar', '\\', '\\\\', "'; DROP TABLE notices; --", "' OR 1=1 --", '$1', '(', ')', '-', '--', 'or', 'or or', '-foo -bar', '日本語:*', '😀', '\uFFFD', 'a\u00ADb'];
    for (const q of hostile) {
      const page = await search('notice', q);
      assert.ok(page.status === 200 || page.status === 400, `${JSON.stringify(q)} answered ${page.status}`);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      if (page.status === 400) {
        assert.match(page.text, /id="search-error"/, JSON.stringify(q));
        assert.match(page.text, /<input type="search" id="search-q" name="q" value="/);
      }
    }
    assert.equal(noticeIds((await search('notice', '100%')).text).length, 1);
    assert.equal(noticeIds((await search('notice', 'foo_bar')).text).length, 1);
    assert.equal((await search('notice', '-bread')).status, 400, 'only excluded words');
    assert.equal((await search('notice', '!!!')).status, 400, 'only punctuation');
    assert.equal(Number((await db()('notices').count({ n: '*' }))[0]!.n), before);
  });

  it('refuses searches over 200 characters and control characters with 400, showing the text', async () => {
    const long = 'x'.repeat(201);
    const page = await search('notice', long);
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /too long: 201 characters/);
    assert.ok(page.text.includes(`value="${long}"`));
    assert.equal((await search('notice', 'y'.repeat(200))).status, 200);
    assert.equal((await search('notice', `${'x'.repeat(199)}😀`)).status, 200, 'characters, not UTF-16 units');
    const people = await search('people', long);
    assert.equal(people.status, 400);
    assert.ok(people.text.includes(`value="${long}"`));
    for (const q of ['a\u0000b', 'a\u0007b']) {
      assert.equal((await search('notice', q)).status, 400, JSON.stringify(q));
      assert.equal((await search('people', q)).status, 400, JSON.stringify(q));
    }
    assert.equal((await anonymous().get('/search/notice?q=a&q=b')).status, 400);
    const malformed = await anonymous().get('/search/notice?q=100%25%zz%'); // a malformed escape is read as text
    assert.equal(malformed.status, 200);
    assert.ok(malformed.text.includes('value="100%%zz%"'));
    const broken = await anonymous().get('/search/notice?q=%E0%A4%A'); // half a character: not UTF-8
    assert.equal(broken.status, 400);
    assert.match(textOf(broken.text), /not UTF-8/);
  });
});

describe('people search', () => {
  it('finds people by part of their nickname or full name', async () => {
    assert.deepEqual(peopleIn((await search('people', 'alice')).text).sort(), ['alice', 'malice']);
    assert.deepEqual(peopleIn((await search('people', '@alice')).text).sort(), ['alice', 'malice']);
    assert.deepEqual(peopleIn((await search('people', 'SMITH')).text), ['bob']);
    assert.deepEqual(peopleIn((await search('people', 'robert smith')).text), ['bob']);
    assert.match(textOf((await search('people', 'nobodyatall')).text), /Nobody matches/);
  });

  it('shows each person found with their avatar, location and bio, escaped', async () => {
    await db()('profiles').where({ nickname: 'bob' }).update({ bio: 'Bakes <b>bread</b> & more', location: 'Hamburg' });
    const page = await search('people', 'smithson');
    assert.deepEqual(peopleIn(page.text), ['bob']);
    const found = /<ul class="people[^"]*">([\s\S]*?)<\/ul>/.exec(page.text)![1]!;
    assert.match(found, /<img class="avatar" src="\/images\/default-avatar-48\.png" width="48" height="48" alt="">/);
    assert.ok(found.includes('Bakes &lt;b&gt;bread&lt;/b&gt; &amp; more'), found);
    assert.match(found, /Hamburg/);
  });

  it('matches one or two characters at the start of a word only', async () => {
    assert.deepEqual(peopleIn((await search('people', 'al')).text).sort(), ['al', 'alice']);
    assert.deepEqual(peopleIn((await search('people', 'sm')).text), ['bob']);
    assert.deepEqual(peopleIn((await search('people', 'li')).text), []);
  });

  it('escapes LIKE wildcards and refuses searches without a letter or digit', async () => {
    for (const q of ['%', '_', '\\', '%%%', '___', '"', "'", '--']) {
      const page = await search('people', q);
      assert.equal(page.status, 400, JSON.stringify(q));
      assert.match(textOf(page.text), /at least one letter or digit/);
    }
    for (const q of ['a%', 'a_', '%ali', 'al_ce', 'al\\', "al' OR 1=1 --", 'a:*', 'a&|!']) {
      const page = await search('people', q);
      assert.equal(page.status, 200, JSON.stringify(q));
      assert.deepEqual(peopleIn(page.text), [], `${JSON.stringify(q)} is literal text`);
    }
  });

  it('pages with ?before= past the end as 404', async () => {
    for (let i = 0; i < 21; i++) await db()('profiles').insert({ nickname: `zed${i}`, is_local: false, uri: `http://remote.example/zed${i}`, profile_url: `http://remote.example/zed${i}` });
    const first = await search('people', 'zed');
    assert.equal(peopleIn(first.text).length, 0, 'remote people link to /remote/');
    assert.equal([...first.text.matchAll(/href="\/remote\/\d+"/g)].length, 20);
    const older = /<a href="([^"]+)" rel="next">/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    assert.match(older!, /^\/search\/people\?q=zed&before=\d+$/);
    const second = await anonymous().get(older!);
    assert.equal([...second.text.matchAll(/href="\/remote\/\d+"/g)].length, 1);
    const last = /href="\/remote\/(\d+)"/.exec(second.text)![1];
    assert.equal((await search('people', 'zed', `&before=${last}`)).status, 404);
  });
});

describe('the navigation search box and OpenSearch', () => {
  it('is on every page, a labelled GET form with a button for each kind', async () => {
    for (const path of ['/', '/alice', '/tags', '/main/login', '/nobody-here']) {
      const page = await anonymous().get(path);
      assert.match(page.text, /<form method="get" action="\/search\/notice" class="nav-search" role="search"/, path);
      assert.match(page.text, /<label for="nav-search-q"/, path);
      assert.match(page.text, /formaction="\/search\/people"/, path);
      assert.match(page.text, /<link rel="search" type="application\/opensearchdescription\+xml" href="\/opensearch\/notice"/, path);
      assert.match(page.text, /<link rel="search" type="application\/opensearchdescription\+xml" href="\/opensearch\/people"/, path);
    }
  });

  it('describes both searches with absolute URLs from PUBLIC_URL', async () => {
    for (const kind of ['notice', 'people']) {
      const page = await anonymous().get(`/opensearch/${kind}`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^application\/opensearchdescription\+xml/);
      assert.match(page.text, /<OpenSearchDescription xmlns="http:\/\/a9.com\/-\/spec\/opensearch\/1.1\/">/);
      assert.ok(page.text.includes(`template="${server.url}/search/${kind}?q={searchTerms}"`), page.text);
      const shortName = /<ShortName>([^<]*)<\/ShortName>/.exec(page.text)![1]!;
      assert.ok(shortName.length <= 16, shortName);
    }
    assert.equal((await anonymous().get('/opensearch/other')).status, 404);
  });
});

// Both searches must be answered from their indexes: with sequential scans off, the plan must
// still read the search index (a missing or mismatched index would leave only a sequential scan).
describe('search query plans', () => {
  const page = { before: undefined, limit: 21 };
  it('searches notices through the full-text index', async () => {
    const plan = await planOf(db(), (d) => searchNotices(d, 'bread', page), ['enable_seqscan', 'enable_indexscan']);
    assert.match(plan, /Bitmap Index Scan on notices_search/, plan);
    assert.doesNotMatch(plan, /Seq Scan/, plan);
  });
  it('searches people through the trigram index, anywhere and at word starts', async () => {
    for (const match of [{ mode: 'substring', text: 'smith' }, { mode: 'word-prefix', text: 'al' }] as const) {
      const plan = await planOf(db(), (d) => searchProfiles(d, match, page), ['enable_seqscan', 'enable_indexscan']);
      assert.match(plan, /Bitmap Index Scan on profiles_search/, plan);
      assert.doesNotMatch(plan, /Seq Scan/, plan);
    }
  });
  it('reads a feed validator from the timeline indexes', async () => {
    const plan = await planOf(db(), (d) => readFeedStamp(d, { kind: 'public' }, 20), ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);
    assert.doesNotMatch(plan, /Seq Scan/, plan);
    assert.match(plan, /Index (Only )?Scan/, plan);
  });
});
