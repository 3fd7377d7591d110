// Blocking and muting people on this site, through the forms: a block ends subscriptions both ways
// and refuses new ones, blocked and muted people's notices leave the blocker's home timeline and
// replies (and come back when undone), the settings page lists them with undo buttons, bad input
// is refused, and the timeline queries stay index scans with the filter.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { listHomeNotices, listMentionNotices } from '../../src/db/timelines.ts';
import { planOf } from '../helpers/query-plan.ts';
import { profileId } from '../helpers/moderation.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let alice: WebClient;
let bob: WebClient;
let carol: WebClient;
const ids: Record<string, number> = {};
const db = () => server.runtime.ctx.db;

const subscribed = async (from: string, to: string) => (await db()('subscriptions').where({ subscriber_id: ids[from], subscribed_id: ids[to] })).length === 1;
const noticeId = async (content: string) => Number((await db()('notices').where({ content }).first('id')).id);
const post = async (client: WebClient, content: string) => assert.equal((await client.post('/notice/new', { content, returnto: '/' })).status, 303);
const shows = async (client: WebClient, path: string, content: string) => noticeIds((await client.get(path)).text).includes(await noticeId(content));

before(async () => {
  server = await startTestServer();
  [alice, bob, carol] = [await registeredClient(server.url, 'alice'), await registeredClient(server.url, 'bob'), await registeredClient(server.url, 'carol')];
  for (const name of ['alice', 'bob', 'carol']) ids[name] = await profileId(server, name);
});
after(() => server.stop());

describe('blocking someone on this site', () => {
  it('asks first, then ends the subscriptions both ways', async () => {
    await alice.get('/bob');
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'bob' })).status, 303);
    await bob.get('/alice');
    assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
    assert.ok((await subscribed('alice', 'bob')) && (await subscribed('bob', 'alice')));

    const profile = await alice.get('/bob');
    assert.match(profile.text, /<form method="get" action="\/main\/block"/, 'the profile has a Block button');
    const confirm = await alice.get(`/main/block?profile=${ids.bob}&returnto=%2Fbob`);
    assert.equal(confirm.status, 200);
    assert.match(textOf(confirm.text), /Block bob\?/);
    assert.match(confirm.text, new RegExp(`name="profile" value="${ids.bob}"`));
    assert.equal(await subscribed('alice', 'bob'), true, 'the confirmation page changes nothing');

    const done = await alice.post('/main/block', { profile: String(ids.bob), returnto: '/bob' });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/bob');
    assert.equal(await subscribed('alice', 'bob'), false);
    assert.equal(await subscribed('bob', 'alice'), false);
    const after = await alice.get('/bob');
    assert.match(after.text, /action="\/main\/unblock"/);
    assert.doesNotMatch(after.text, /action="\/main\/subscribe"/, 'no Subscribe button while blocking');
    assert.equal((await alice.post('/main/block', { profile: String(ids.bob) })).status, 303, 'blocking twice is fine');
  });

  it('refuses a new subscription either way, with a message', async () => {
    await bob.get('/alice');
    const theirs = await bob.post('/main/subscribe', { subscribeto: 'alice' });
    assert.equal(theirs.status, 403);
    assert.match(textOf(theirs.text), /alice has blocked bob from subscribing/);
    const mine = await alice.post('/main/subscribe', { subscribeto: 'bob' });
    assert.equal(mine.status, 403);
    assert.match(textOf(mine.text), /unblock them first/);
    assert.equal(await subscribed('bob', 'alice'), false);
  });

  it("keeps the blocked person's mentions out of the blocker's replies, and lists them in settings", async () => {
    await post(bob, '@alice you cannot hide from me');
    assert.equal(await shows(alice, '/alice/replies', '@alice you cannot hide from me'), false);
    assert.equal(await shows(alice, '/bob', '@alice you cannot hide from me'), true, 'his own page still shows it');
    const settings = await alice.get('/settings/blocks');
    assert.equal(settings.status, 200);
    assert.match(textOf(settings.text), /bob Blocked Unblock bob/);
  });

  it('unblocks from the settings list: mentions come back, subscribing works again', async () => {
    const page = await alice.post('/main/unblock', { profile: String(ids.bob), returnto: '/settings/blocks' });
    assert.equal(page.status, 303);
    assert.equal(page.location, '/settings/blocks');
    assert.match(textOf((await alice.get('/settings/blocks')).text), /You block and mute nobody/);
    assert.equal(await shows(alice, '/alice/replies', '@alice you cannot hide from me'), true);
    await bob.get('/alice');
    assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
    assert.equal(await subscribed('bob', 'alice'), true, 'the subscription does not come back by itself, but can be made again');
  });
});

describe('muting someone', () => {
  it('hides their notices from the home timeline and replies without unsubscribing, until unmuted', async () => {
    await alice.get('/carol');
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'carol' })).status, 303);
    await post(carol, 'carol talks a lot');
    await post(carol, 'carol talks to @alice');
    await waitFor('carol on alice’s home timeline', () => shows(alice, '/alice/all', 'carol talks a lot'));

    const page = await alice.post('/main/mute', { profile: String(ids.carol), returnto: '/carol' });
    assert.equal(page.status, 303);
    assert.equal(await subscribed('alice', 'carol'), true, 'a mute keeps the subscription');
    assert.equal(await shows(alice, '/alice/all', 'carol talks a lot'), false);
    assert.equal(await shows(alice, '/alice/replies', 'carol talks to @alice'), false);
    assert.match((await alice.get('/carol')).text, /action="\/main\/unmute"/);
    assert.match(textOf((await alice.get('/settings/blocks')).text), /carol Muted Unmute carol/);
    // A mute is not a block: carol may still subscribe to alice.
    await carol.get('/alice');
    assert.equal((await carol.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);

    assert.equal((await alice.post('/main/unmute', { profile: String(ids.carol) })).status, 303);
    assert.equal(await shows(alice, '/alice/all', 'carol talks a lot'), true);
    assert.equal(await shows(alice, '/alice/replies', 'carol talks to @alice'), true);
  });

  it("hides someone else's repeat of a muted person's notice too", async () => {
    const dave = await registeredClient(server.url, 'dave');
    await alice.get('/dave');
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'dave' })).status, 303);
    await post(bob, 'bob worth repeating'); // alice does not read bob: only dave's repeat brings it home
    await dave.get('/');
    assert.equal((await dave.post('/main/repeat', { notice: String(await noticeId('bob worth repeating')) })).status, 303);
    const repeatedOnHome = async () => textOf((await alice.get('/alice/all')).text).includes('Repeated by dave');
    await waitFor('dave’s repeat on alice’s home timeline', repeatedOnHome);
    assert.equal((await alice.post('/main/mute', { profile: String(ids.bob) })).status, 303);
    assert.equal(await repeatedOnHome(), false);
    assert.equal((await alice.post('/main/unmute', { profile: String(ids.bob) })).status, 303);
    assert.equal(await repeatedOnHome(), true);
  });

  it('turns a mute into a block, never a block into a mute', async () => {
    await alice.post('/main/mute', { profile: String(ids.carol) });
    await alice.post('/main/block', { profile: String(ids.carol) });
    assert.equal((await db()('blocks').where({ blocker_id: ids.alice, blocked_id: ids.carol }).first()).kind, 'block');
    await alice.post('/main/mute', { profile: String(ids.carol) });
    assert.equal((await db()('blocks').where({ blocker_id: ids.alice, blocked_id: ids.carol }).first()).kind, 'block');
    assert.equal(await subscribed('carol', 'alice'), false, 'the block ended her subscription');
    await alice.post('/main/unblock', { profile: String(ids.carol) });
    assert.equal((await db()('blocks').where({ blocker_id: ids.alice })).length, 0);
  });
});

describe('bad requests', () => {
  it('refuses unknown people, oneself, visitors and forms without the CSRF token, changing nothing', async () => {
    for (const profile of ['abc', '', '999999', '-1']) {
      const page = await alice.post('/main/block', { profile });
      assert.ok([400, 404].includes(page.status), `${profile}: ${page.status}`);
    }
    const self = await alice.post('/main/mute', { profile: String(ids.alice) });
    assert.equal(self.status, 400);
    assert.match(textOf(self.text), /cannot block or mute yourself/);
    assert.equal((await alice.get(`/main/block?profile=nobody`)).status, 404);
    const visitor = new WebClient(server.url);
    assert.equal((await visitor.post('/main/block', { profile: String(ids.bob) })).status, 403);
    assert.equal((await visitor.get(`/main/block?profile=${ids.bob}`)).status, 303);
    assert.equal((await visitor.get('/settings/blocks')).status, 303);
    assert.equal((await alice.post('/main/block', { profile: String(ids.bob), _csrf: null })).status, 403);
    assert.equal((await db()('blocks')).length, 0);
  });
});

// The filter is a primary-key lookup per entry read, inside the keyset subquery.
describe('query plans with blocks', () => {
  const page = { before: 1_000_000, limit: 21 };
  const plans: [string, (d: Knex) => Promise<unknown>][] = [
    ['home', (d) => listHomeNotices(d, ids.alice!, page)],
    ['replies', (d) => listMentionNotices(d, ids.alice!, page)],
  ];
  for (const [name, run] of plans) {
    it(`reads the ${name} timeline with index scans only, the blocks through an index`, async () => {
      const plan = await planOf(db(), run, ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);
      assert.doesNotMatch(plan, /Seq Scan/, plan);
      assert.doesNotMatch(plan, /\bSort\b/, plan);
      assert.match(plan, /Index (Only )?Scan using blocks_(pkey|blocked) on blocks/, plan);
    });
  }
});
