// Favorites through the real HTTP interface: the button on every notice (POST /main/favor and
// /main/disfavor, field `notice`, CSRF, back to the page), the count on the notice and on the
// profile, /:nickname/favorites with its feeds, /favorited ranked by favorites that weigh less as
// they age, the author's email, bad input refused with nothing written, and the query plans.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { listFavoriteNotices, listPopularNotices } from '../../src/db/favorites.ts';
import { listOriginalNotices, listViewerMarks } from '../../src/db/shown-notices.ts';
import { latestNoticeId, profileId } from '../helpers/moderation.ts';
import { planOf } from '../helpers/query-plan.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import type { TestSmtpServer } from '../helpers/smtp.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let smtp: TestSmtpServer;
let alice: WebClient;
let bob: WebClient;
let carol: WebClient;
const db = () => server.runtime.ctx.db;

async function post(client: WebClient, content: string): Promise<void> {
  const page = await client.post('/notice/new', { content, returnto: '/' });
  assert.equal(page.status, 303, textOf(page.text));
}

const favorites = async () => Number((await db()('favorites').count({ n: '*' }))[0]!.n);
const settle = () => new Promise((resolve) => setTimeout(resolve, 2500));

before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  [alice, bob, carol] = [await registeredClient(server.url, 'alice'), await registeredClient(server.url, 'bob'), await registeredClient(server.url, 'carol')];
  await alice.post('/settings/email', { email: 'alice@example.org' });
  const link = linkIn(await smtp.next((m) => /confirm/.test(m.subject)), '/main/confirmaddress/');
  await alice.get(link);
  assert.equal((await alice.post(link)).status, 303);
});
after(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe('the favorite button', () => {
  let noticeId: number;

  it('favorites a notice from the page it is on and comes back there, the count shown on the notice and the profile', async () => {
    await post(alice, 'a notice worth keeping');
    noticeId = await latestNoticeId(server, 'alice');
    const page = await bob.get('/alice');
    assert.match(page.text, /action="\/main\/favor"/);
    assert.match(page.text, new RegExp(`name="notice" value="${noticeId}"`));
    const answer = await bob.post('/main/favor', { notice: String(noticeId), returnto: `/alice#notice-${noticeId}` });
    assert.equal(answer.status, 303, textOf(answer.text));
    assert.equal(answer.location, `/alice#notice-${noticeId}`);

    const after = await bob.get('/alice');
    assert.match(textOf(after.text), /1 favorite Unfavorite the notice by alice/);
    assert.match(after.text, /action="\/main\/disfavor"/);
    const visitor = await new WebClient(server.url).get('/alice');
    assert.match(textOf(visitor.text), /a notice worth keeping .* 1 favorite/);
    assert.doesNotMatch(visitor.text, /action="\/main\/favor"/, 'visitors see the count, no buttons');
    assert.equal(visitor.headers.get('set-cookie'), null, 'and get no session for it');
    const bobsProfile = await new WebClient(server.url).get('/bob');
    assert.match(bobsProfile.text, /data-count="favorites">1</);
    const list = await new WebClient(server.url).get('/bob/favorites');
    assert.equal(list.status, 200);
    assert.deepEqual(noticeIds(list.text), [noticeId]);
    assert.match(list.text, /href="\/bob\/favorites" aria-current="page"/);
  });

  it('refuses a second favorite with 409 and writes nothing', async () => {
    const before = await favorites();
    const again = await bob.post('/main/favor', { notice: String(noticeId) });
    assert.equal(again.status, 409);
    assert.match(textOf(again.text), /already added this notice to your favorites/);
    assert.equal(await favorites(), before);
  });

  it('refuses a missing, malformed, removed or unnamed notice, a forged form and a visitor, writing nothing', async () => {
    const before = await favorites();
    const cases: [Record<string, string | null>, number, RegExp][] = [
      [{ notice: '999999' }, 404, /no such notice/],
      [{ notice: 'abc' }, 400, /must be a notice number/],
      [{ notice: '' }, 400, /must be a notice number/],
      [{ notice: String(noticeId), _csrf: 'forged' }, 403, /did not come from this site/],
      [{ notice: String(noticeId), _csrf: null }, 403, /did not come from this site/],
    ];
    for (const [fields, status, message] of cases) {
      const page = await carol.post('/main/favor', fields);
      assert.equal(page.status, status, JSON.stringify(fields));
      assert.match(textOf(page.text), message);
    }
    const visitor = new WebClient(server.url);
    assert.equal((await visitor.post('/main/favor', { notice: String(noticeId) })).status, 403);
    // A suspended person's notice is gone for everyone: 410.
    await post(carol, 'soon gone');
    const carolsNotice = await latestNoticeId(server, 'carol');
    await db()('profiles').where({ id: await profileId(server, 'carol') }).update({ suspended_at: new Date() });
    assert.equal((await bob.post('/main/favor', { notice: String(carolsNotice) })).status, 410);
    await db()('profiles').where({ id: await profileId(server, 'carol') }).update({ suspended_at: null });
    assert.equal(await favorites(), before);
  });

  it('tells the author by email, as their switch says, never about their own favorite', async () => {
    const mail = await smtp.next((m) => /added your notice as a favorite/.test(m.subject));
    assert.equal(mail.subject, 'bob added your notice as a favorite on Ostrakon');
    assert.deepEqual(mail.envelopeTo, ['alice@example.org']);
    assert.match(mail.text, /a notice worth keeping/);
    assert.match(mail.text, new RegExp(`Their favorites: ${server.url}/bob/favorites`));

    await alice.post('/main/favor', { notice: String(noticeId) }); // her own
    await alice.get('/settings/email');
    assert.equal((await alice.post('/settings/email/notifications', { subscriber: 'on', mention: 'on' })).status, 303);
    assert.match((await alice.get('/settings/email')).text, /id="favorite" name="favorite" type="checkbox">/, 'the switch is off');
    assert.equal((await carol.post('/main/favor', { notice: String(noticeId) })).status, 303);
    await settle();
    assert.equal(smtp.received.filter((m) => /favorite/.test(m.subject)).length, 1, 'one email: bob’s');
    await alice.post('/settings/email/notifications', { subscriber: 'on', mention: 'on', favorite: 'on' });
    assert.match(textOf((await new WebClient(server.url).get(`/notice/${noticeId}`)).text), /3 favorites/);
  });

  it('takes a favorite back, and refuses to take back one that is not there', async () => {
    const answer = await bob.post('/main/disfavor', { notice: String(noticeId), returnto: '/bob/favorites' });
    assert.equal(answer.status, 303);
    assert.equal(answer.location, '/bob/favorites');
    assert.deepEqual(noticeIds((await bob.get('/bob/favorites')).text), []);
    assert.match((await bob.get('/bob')).text, /data-count="favorites">0</);
    const again = await bob.post('/main/disfavor', { notice: String(noticeId) });
    assert.equal(again.status, 409);
    assert.match(textOf(again.text), /not among your favorites/);
  });

  it('tells the author of a favorite once, however often it is taken back and given again', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal((await bob.post('/main/favor', { notice: String(noticeId) })).status, 303);
      assert.equal((await bob.post('/main/disfavor', { notice: String(noticeId) })).status, 303);
    }
    await settle();
    assert.equal(smtp.received.filter((m) => /^bob added your notice/.test(m.subject)).length, 1);
  });

  it('keeps every count equal to the rows when a favorited notice is deleted', async () => {
    await bob.post('/main/favor', { notice: String(noticeId) });
    await alice.get(`/notice/delete/${noticeId}`);
    assert.equal((await alice.post(`/notice/delete/${noticeId}`, {})).status, 303);
    const { rows } = await db().raw(`
      SELECT nickname FROM profiles p WHERE favorite_count <> (SELECT count(*) FROM favorites WHERE profile_id = p.id)
      UNION ALL
      SELECT id::text FROM notices n WHERE favorite_count <> (SELECT count(*) FROM favorites WHERE notice_id = n.id)`);
    assert.deepEqual(rows, []);
  });
});

describe('favorites feeds', () => {
  it('lists what a person favorited, newest favorite first, as RSS and Atom that change when a favorite goes', async () => {
    await post(carol, 'first for the feed');
    const first = await latestNoticeId(server, 'carol');
    await post(carol, 'second for the feed <b>&</b>');
    const second = await latestNoticeId(server, 'carol');
    await bob.post('/main/favor', { notice: String(second) });
    await bob.post('/main/favor', { notice: String(first) });
    const rss = await new WebClient(server.url).get('/bob/favorites/rss');
    assert.equal(rss.status, 200);
    assert.match(rss.headers.get('content-type')!, /application\/rss\+xml/);
    assert.match(rss.text, /<title>bob’s favorite notices on Ostrakon<\/title>/);
    const items = [...rss.text.matchAll(/<guid isPermaLink="true">[^<]*\/notice\/(\d+)<\/guid>/g)].map((m) => Number(m[1]));
    assert.deepEqual(items, [first, second], 'the latest favorite first');
    assert.match(rss.text, /second for the feed &lt;b&gt;&amp;&lt;\/b&gt;/);
    const atom = await new WebClient(server.url).get('/bob/favorites/atom');
    assert.equal(atom.status, 200);
    assert.match(atom.text, /<link rel="self" type="application\/atom\+xml" href="[^"]+\/bob\/favorites\/atom"\/>/);

    const etag = rss.headers.get('etag')!;
    const cached = await fetch(`${server.url}/bob/favorites/rss`, { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    await bob.post('/main/disfavor', { notice: String(first) });
    const changed = await fetch(`${server.url}/bob/favorites/rss`, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200, 'a favorite taken back changes the feed');
    assert.equal((await new WebClient(server.url).get('/nobody/favorites/rss')).status, 404);
    assert.match((await new WebClient(server.url).get('/bob/favorites')).text, /href="\/bob\/favorites\/rss"/);
  });
});

describe('/favorited', () => {
  it('ranks notices by favorites that weigh less as they age, leaving out silenced people, and pages by keyset', async () => {
    const people = await Promise.all(['dan', 'erin', 'fred', 'gina'].map((n) => registeredClient(server.url, n)));
    await post(carol, 'old and much favorited');
    const old = await latestNoticeId(server, 'carol');
    await post(carol, 'new and favorited once');
    const fresh = await latestNoticeId(server, 'carol');
    await post(carol, 'new and favorited twice');
    const twice = await latestNoticeId(server, 'carol');
    for (const person of people.slice(0, 3)) assert.equal((await person.post('/main/favor', { notice: String(old) })).status, 303);
    await people[0]!.post('/main/favor', { notice: String(fresh) });
    await people[0]!.post('/main/favor', { notice: String(twice) });
    await people[1]!.post('/main/favor', { notice: String(twice) });
    // Three favorites a month ago weigh 3·e^-3 ≈ 0.15 of a favorite today: the old notice ranks last
    // (the popularity is kept by the trigger: re-add the favorites with their old date).
    const month = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    const rows = await db()('favorites').where({ notice_id: old }).delete().returning(['profile_id', 'notice_id']);
    await db()('favorites').insert(rows.map((r) => ({ ...r, created_at: month })));
    const ranked = noticeIds((await new WebClient(server.url).get('/favorited')).text);
    assert.deepEqual(ranked.filter((id) => [old, fresh, twice].includes(id)), [twice, fresh, old]);

    await db()('profiles').where({ id: await profileId(server, 'carol') }).update({ silenced_at: new Date() });
    assert.equal(noticeIds((await new WebClient(server.url).get('/favorited')).text).filter((id) => [old, fresh, twice].includes(id)).length, 0);
    await db()('profiles').where({ id: await profileId(server, 'carol') }).update({ silenced_at: null });

    // 23 more, each favorited once: pages of 20, the second continuing after the first's last.
    for (let i = 0; i < 23; i++) {
      await post(people[3]!, `popular ${i}`);
      await people[2]!.post('/main/favor', { notice: String(await latestNoticeId(server, 'gina')) });
    }
    const first = await new WebClient(server.url).get('/favorited');
    const firstIds = noticeIds(first.text);
    assert.equal(firstIds.length, 20);
    assert.equal(firstIds[0], twice);
    const older = /<a href="([^"]+)" rel="next">/.exec(first.text)![1]!;
    assert.equal(older, `/favorited?before=${firstIds[19]}`);
    const second = noticeIds((await new WebClient(server.url).get(older)).text);
    assert.equal(new Set([...firstIds, ...second]).size, firstIds.length + second.length, 'no notice twice');
    assert.equal(second[second.length - 1], old, 'the old one last');
    assert.equal((await new WebClient(server.url).get('/favorited?before=abc')).status, 400);
  });
});

describe('query plans and queries per page', () => {
  const page = { before: 1_000_000, limit: 21 };
  const plans: [string, (db: Knex) => Promise<unknown>][] = [
    ['a person’s favorites', (d) => listFavoriteNotices(d, 1, page)],
    ['/favorited (first page)', (d) => listPopularNotices(d, { before: undefined, limit: 21 })],
    ['/favorited (later page)', (d) => listPopularNotices(d, { before: 5, limit: 21 })],
    ['the originals a page’s repeats show', (d) => listOriginalNotices(d, [1, 2, 3, 4, 5])],
    ['the viewer’s marks on a page’s notices', (d) => listViewerMarks(d, 1, [1, 2, 3, 4, 5])],
  ];
  for (const [name, run] of plans) {
    it(`reads ${name} with index scans and no sort`, async () => {
      const plan = await planOf(db(), run, ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);
      assert.doesNotMatch(plan, /Seq Scan/, plan);
      assert.doesNotMatch(plan, /\bSort\b/, plan);
      assert.match(plan, /Index (Only )?Scan/, plan);
    });
  }

  it('reads the popular notices backwards along notices_popular, with the cursor as an index condition', async () => {
    const plan = await planOf(db(), (d) => listPopularNotices(d, { before: 5, limit: 21 }), ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);
    assert.match(plan, /Index Scan Backward using notices_popular/, plan);
    assert.match(plan, /Index Cond: \(ROW\(popularity, id\) < ROW\(/, plan);
  });

  async function queriesFor(client: WebClient, path: string): Promise<number> {
    let count = 0;
    const listener = () => void count++;
    db().on('query', listener);
    try {
      assert.equal((await client.get(path)).status, 200);
    } finally {
      db().off('query', listener);
    }
    return count;
  }

  it('shows a signed-in reader’s buttons with the same number of queries for 2 notices as for 20 (no query per notice)', async () => {
    const harry = await registeredClient(server.url, 'harry');
    await harry.post('/main/subscribe', { subscribeto: 'carol' }); // carol has a few notices: a short page
    const few = await queriesFor(harry, '/harry/all');
    assert.ok(noticeIds((await harry.get('/harry/all')).text).length < 10);
    await harry.post('/main/subscribe', { subscribeto: 'gina' });
    const many = await queriesFor(harry, '/harry/all');
    assert.equal(noticeIds((await harry.get('/harry/all')).text).length, 20);
    assert.equal(many, few);
    assert.equal(await queriesFor(new WebClient(server.url), '/'), await queriesFor(new WebClient(server.url), '/'), 'steady');
  });
});
