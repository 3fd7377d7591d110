import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import { listHomeNotices, listMentionNotices, listProfileNotices, listPublicNotices, listTagNotices } from '../../src/db/timelines.ts';
import { listSubscribers, listSubscriptions } from '../../src/db/subscriptions.ts';
import { fanOutToSubscribers, trimHomeTimelines } from '../../src/db/home-timelines.ts';
import { planOf } from '../helpers/query-plan.ts';
import { getLocalProfileWithCounts } from '../../src/db/profiles.ts';
import { insertNotice } from '../../src/db/notices.ts';

let server: TestServer;
let alice: WebClient;
let bob: WebClient;
let carol: WebClient;
const db = () => server.runtime.ctx.db;
const idsOf = async (nickname: string) =>
  (await db()('notices as n').join('profiles as p', 'p.id', 'n.profile_id').where('p.nickname', nickname).orderBy('n.id', 'desc').select('n.id')).map((r) => Number(r.id));

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
  carol = await registeredClient(server.url, 'carol');
  for (let i = 1; i <= 25; i++) {
    const page = await alice.post('/notice/new', { content: `alice notice ${i} #count @bob`, returnto: '/' });
    assert.equal(page.status, 303);
  }
});
after(() => server.stop());

describe('keyset pagination', () => {
  it('shows 20 notices, then an "Older" link carrying ?before=<id>, then the rest', async () => {
    const ids = await idsOf('alice');
    for (const path of ['/', '/alice', '/alice/all', '/bob/replies', '/tag/count']) {
      const first = await new WebClient(server.url).get(path);
      assert.equal(first.status, 200, path);
      assert.deepEqual(noticeIds(first.text), ids.slice(0, 20), path);
      const older = /<a href="([^"]+)" rel="next">/.exec(first.text)?.[1];
      assert.equal(older, `${path === '/' ? '' : path}${path === '/' ? '/' : ''}?before=${ids[19]}`, path);
      const second = await new WebClient(server.url).get(older!);
      assert.equal(second.status, 200);
      assert.deepEqual(noticeIds(second.text), ids.slice(20), path);
      assert.doesNotMatch(second.text, /rel="next"/, 'no link past the last page');
      const beyond = await new WebClient(server.url).get(`${path}?before=${ids[24]}`);
      assert.equal(beyond.status, 404, `${path} beyond the end`);
    }
  });

  it('refuses a malformed cursor with 400', async () => {
    for (const query of ['?before=abc', '?before=-5', '?before=1.5', '?before=1&before=2', '?before=99999999999999999999']) {
      const page = await new WebClient(server.url).get(`/${query}`);
      assert.equal(page.status, 400, query);
      assert.match(textOf(page.text), /before/);
    }
  });
});

describe('profiles', () => {
  it('shows counts of notices, subscriptions and subscribers', async () => {
    await bob.post('/main/subscribe', { subscribeto: 'alice' });
    await carol.post('/main/subscribe', { subscribeto: 'alice' });
    const page = await new WebClient(server.url).get('/alice');
    assert.match(page.text, /data-count="notices">25</);
    assert.match(page.text, /data-count="subscriptions">0</);
    assert.match(page.text, /data-count="subscribers">2</);
    const bobsPage = await new WebClient(server.url).get('/bob');
    assert.match(bobsPage.text, /data-count="subscriptions">1</);
    const beyond = await new WebClient(server.url).get('/alice/subscribers?before=1');
    assert.equal(beyond.status, 404);
    assert.match(textOf(beyond.text), /nobody further in this list/);
  });

  it('keeps the counts equal to the rows as notices and subscriptions come and go', async () => {
    await bob.post('/main/unsubscribe', { unsubscribeto: 'alice' });
    await bob.post('/main/subscribe', { subscribeto: 'carol' });
    await db()('notices').whereIn('id', db()('notices').select('id').where('profile_id', db()('profiles').select('id').where('nickname', 'alice')).limit(3)).delete();
    const { rows } = await db().raw(`
      SELECT nickname FROM profiles p
      WHERE notice_count <> (SELECT count(*) FROM notices WHERE profile_id = p.id)
         OR subscription_count <> (SELECT count(*) FROM subscriptions WHERE subscriber_id = p.id)
         OR subscriber_count <> (SELECT count(*) FROM subscriptions WHERE subscribed_id = p.id)`);
    assert.deepEqual(rows, []);
    const page = await new WebClient(server.url).get('/alice');
    assert.match(page.text, /data-count="notices">22</);
    assert.match(page.text, /data-count="subscribers">1</);
  });

  it('counts notices two transactions add for one person at once, neither waiting for the other', async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip('needs DATABASE_URL: the embedded database runs one transaction at a time');
      return;
    }
    const carolId = Number((await db()('profiles').where({ nickname: 'carol' }).first('id')).id);
    const before = (await new WebClient(server.url).get('/carol')).text.match(/data-count="notices">(\d+)</)![1];
    const add = (trx: Knex) => insertNotice(trx, { profileId: carolId, content: 'at once', rendered: 'at once', isLocal: true, inReplyTo: null, conversationId: null, source: 'web' });
    const first = await db().transaction();
    const second = await db().transaction();
    try {
      await add(first); // holds carol's profile row until it commits
      await second.raw(`SET LOCAL lock_timeout = '2s'`); // waiting for the first would fail here
      await add(second);
      await second.commit();
      await first.commit();
    } finally {
      if (!first.isCompleted()) await first.rollback();
      if (!second.isCompleted()) await second.rollback();
    }
    assert.equal((await db()('profile_count_deltas').where({ profile_id: carolId })).length, 1, 'the second was set aside');
    const page = await new WebClient(server.url).get('/carol');
    assert.match(page.text, new RegExp(`data-count="notices">${Number(before) + 2}<`));
    // The next change that finds the row free takes in what was set aside.
    await carol.post('/notice/new', { content: 'after both', returnto: '/' });
    assert.equal((await db()('profile_count_deltas').where({ profile_id: carolId })).length, 0);
    const { rows } = await db().raw('SELECT notice_count AS n, (SELECT count(*)::int FROM notices WHERE profile_id = p.id) AS real FROM profiles p WHERE id = ?', [carolId]);
    assert.equal(rows[0].n, rows[0].real);
  });

  it('answers 404 for an unknown nickname on every page, and for non-nicknames', async () => {
    for (const path of ['/nobody', '/nobody/all', '/nobody/replies', '/nobody/subscriptions', '/nobody/subscribers', '/No-Body', '/%E2%82%AC', '/alice/unknown']) {
      const page = await new WebClient(server.url).get(path);
      assert.equal(page.status, 404, path);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    }
  });

  it('answers a malformed percent-encoding with 400, not 500', async () => {
    const page = await new WebClient(server.url).get('/tag/%E0%A4%A');
    assert.equal(page.status, 400);
  });
});

// Every timeline query must be a keyset index scan: with sequential scans, bitmap scans and sorts
// discouraged, the plan of each query (captured as the app runs it) must still need none of them.
describe('query plans', () => {
  const page = { before: 1_000_000, limit: 21 };
  const plans: [string, (db: Knex) => Promise<unknown>][] = [
    ['public', (d) => listPublicNotices(d, page)],
    ['profile', (d) => listProfileNotices(d, 1, page)],
    ['home', (d) => listHomeNotices(d, 1, page)],
    ['replies', (d) => listMentionNotices(d, 1, page)],
    ['tag', (d) => listTagNotices(d, 'count', page)],
    ['subscriptions', (d) => listSubscriptions(d, 1, page)],
    ['subscribers', (d) => listSubscribers(d, 1, page)],
  ];
  for (const [name, run] of plans) {
    it(`reads the ${name} timeline with an index scan and no sort`, async () => {
      const plan = await planOf(db(), run, ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);
      assert.doesNotMatch(plan, /Seq Scan/, plan);
      assert.doesNotMatch(plan, /\bSort\b/, plan);
      assert.match(plan, /Index (Only )?Scan/, plan);
    });
  }
  it('runs every timeline as a prepared statement that Postgres plans once, not on every page view', async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip('the embedded database serves every connection from one session: statements are sent unnamed there');
      return;
    }
    await db().transaction(async (trx) => {
      // One connection (the transaction's), so that its prepared statements are the ones listed.
      for (let i = 0; i < 8; i++) for (const [, run] of plans) await run(trx);
      const { rows } = await trx.raw(`SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'ostrakon_prepared_%'`);
      // The connection may have served requests before: the statements run eight times here are the timelines'.
      const statements = (rows as { name: string; statement: string; generic_plans: string | number; custom_plans: string | number }[]).filter(
        (statement) => Number(statement.generic_plans) + Number(statement.custom_plans) >= 8,
      );
      assert.ok(statements.length >= 5, `the timelines ran as prepared statements: ${JSON.stringify(rows)}`);
      for (const statement of statements) {
        assert.ok(Number(statement.generic_plans) >= 1, `${statement.name} is planned once for all values: ${JSON.stringify(statement)}`);
        assert.ok(Number(statement.custom_plans) <= 5, `${statement.name} is not planned for each execution: ${JSON.stringify(statement)}`);
        // With its LIMIT a parameter, the generic plan of a large timeline looks dearer than it is
        // and Postgres plans each execution anew (tables this small do not show it: the text does).
        assert.doesNotMatch(statement.statement, /\blimit \$\d/i, statement.statement);
      }
    });
  });
  it('reads a profile and its three counts in one query: the profile by index, and by index what concurrent writers left aside (kept counters, not counting rows)', async () => {
    const plan = await planOf(db(), (d) => getLocalProfileWithCounts(d, 'alice'), ['enable_seqscan']);
    assert.doesNotMatch(plan, /Seq Scan/, plan);
    const scanned = [...plan.matchAll(/(?:Index (?:Only )?Scan(?: Backward)? using \w+|Bitmap Heap Scan) on (\w+)/g)].map((m) => m[1]);
    assert.deepEqual(scanned.sort(), ['profile_count_deltas', 'profiles'], plan);
    assert.doesNotMatch(plan, / on (notices|subscriptions)\b/, plan);
  });
});

describe('subscriptions and the home timeline', () => {
  it('backfills on subscribe, fans out new notices, and removes them on unsubscribe', async () => {
    const dave = await registeredClient(server.url, 'dave');
    const erin = await registeredClient(server.url, 'erin');
    await erin.post('/notice/new', { content: 'erin before', returnto: '/' });
    const [beforeId] = await idsOf('erin');

    const profile = await dave.get('/erin');
    assert.match(profile.text, /action="\/main\/subscribe"/);
    const subscribed = await dave.post('/main/subscribe', { subscribeto: 'erin', returnto: '/erin' });
    assert.equal(subscribed.status, 303);
    assert.equal(subscribed.location, '/erin');
    assert.match((await dave.get('/erin')).text, /action="\/main\/unsubscribe"/);
    assert.ok(noticeIds((await dave.get('/dave/all')).text).includes(beforeId!), 'backfilled');

    await erin.post('/notice/new', { content: 'erin after', returnto: '/' });
    const [afterId] = await idsOf('erin');
    await waitFor('fan-out to dave', async () => noticeIds((await dave.get('/dave/all')).text).includes(afterId!));
    await dave.post('/notice/new', { content: 'dave own', returnto: '/' });
    const [ownId] = await idsOf('dave');
    assert.equal(noticeIds((await dave.get('/dave/all')).text)[0], ownId, 'own notices appear at once');

    const lists = await new WebClient(server.url).get('/dave/subscriptions');
    assert.match(textOf(lists.text), /People dave subscribes to erin/);
    assert.match(textOf((await new WebClient(server.url).get('/erin/subscribers')).text), /dave/);

    const unsubscribed = await dave.post('/main/unsubscribe', { unsubscribeto: 'erin' });
    assert.equal(unsubscribed.status, 303);
    const home = noticeIds((await dave.get('/dave/all')).text);
    assert.ok(!home.includes(beforeId!) && !home.includes(afterId!));
    assert.ok(home.includes(ownId!));
  });

  it('refuses subscribing to oneself, to nobody, and without signing in', async () => {
    const count = async () => Number((await db()('subscriptions').count({ n: '*' }))[0]!.n);
    const before = await count();
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'alice' })).status, 400);
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'nobody' })).status, 404);
    assert.equal((await alice.post('/main/subscribe', { subscribeto: '' })).status, 400);
    assert.equal((await new WebClient(server.url).post('/main/subscribe', { subscribeto: 'bob' })).status, 403);
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'bob', _csrf: null })).status, 403);
    assert.equal(await count(), before);
  });
});

describe('home timeline rows of deleted notices and people', () => {
  it('leaves no row of a notice deleted while its fan-out runs: the deletion waits for it', async () => {
    await registeredClient(server.url, 'fran');
    const gus = await registeredClient(server.url, 'gus');
    await gus.post('/main/subscribe', { subscribeto: 'fran' });
    const franId = Number((await db()('profiles').where({ nickname: 'fran' }).first('id')).id);
    const id = await insertNotice(db(), { profileId: franId, content: 'going', rendered: 'going', isLocal: true, inReplyTo: null, conversationId: null, source: 'web' });
    const fanOut = await db().transaction();
    let deleted = false;
    try {
      assert.equal(await fanOutToSubscribers(fanOut, [id]), 1);
      const deletion = db()('notices').where({ id }).delete().then(() => (deleted = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(deleted, false, 'the deletion waits for the fan-out');
      await fanOut.commit();
      await deletion;
    } finally {
      if (!fanOut.isCompleted()) await fanOut.rollback();
    }
    assert.deepEqual(await db()('home_timeline_entries').where({ notice_id: id }), []);
    assert.equal(await fanOutToSubscribers(db(), [id]), 0, 'a deleted notice is fanned out to nobody');
  });

  it('removes the home timeline of a person whose account is deleted', async () => {
    const hal = await registeredClient(server.url, 'hal');
    await hal.post('/main/subscribe', { subscribeto: 'alice' });
    const halId = Number((await db()('profiles').where({ nickname: 'hal' }).first('id')).id);
    assert.ok((await db()('home_timeline_entries').where({ user_id: halId })).length > 0, 'backfilled');
    await db()('profiles').where({ id: halId }).delete(); // the account goes with its profile
    assert.deepEqual(await db()('home_timeline_entries').where({ user_id: halId }), []);
  });
});

describe('home timeline cap', () => {
  it('keeps only the newest entries of each home timeline when trimmed', async () => {
    const alicesId = Number((await db()('profiles').where({ nickname: 'alice' }).first()).id);
    const before = await db()('home_timeline_entries').where({ user_id: alicesId }).orderBy('notice_id', 'desc');
    assert.ok(before.length > 5);
    const removed = await trimHomeTimelines(db(), 5);
    assert.ok(removed >= before.length - 5);
    const after = await db()('home_timeline_entries').where({ user_id: alicesId }).orderBy('notice_id', 'desc');
    assert.deepEqual(after.map((r) => Number(r.notice_id)), before.slice(0, 5).map((r) => Number(r.notice_id)));
  });
});
