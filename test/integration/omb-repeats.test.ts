// Repeats and favorites where OMB 0.1 carries them: a repeat reaches the repeater's OMB subscribers
// as an ordinary notice "RT @author: text" with a link to the original (as StatusNet pushed
// repeats), cut to fit 140 characters; a favorite of a notice that came by OMB stays local.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latestNoticeId } from '../helpers/moderation.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A, listening to bob on B over OMB
let bob: WebClient;
let carol: WebClient; // on B

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  carol = await registeredClient(b.url, 'carol');
  const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
  assert.equal(finish.status, 303, textOf(finish.text));
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const storedOnA = (content: RegExp) => a.runtime.ctx.db('notices').where({ is_local: false }).then((rows) => rows.find((row) => content.test(row.content)));

describe('repeats over OMB 0.1', () => {
  it("pushes bob's repeat of carol's notice to A as “RT @carol: text” with the original's link", async () => {
    assert.equal((await carol.post('/notice/new', { content: 'Short and sweet', returnto: '/' })).status, 303);
    const carols = await latestNoticeId(b, 'carol');
    await bob.get('/carol');
    assert.equal((await bob.post('/main/repeat', { notice: String(carols) })).status, 303);
    await waitFor('the repeat on A', async () => (await storedOnA(/^RT @carol/)) !== undefined, 20_000);
    const stored = await storedOnA(/^RT @carol/);
    assert.equal(stored.content, `RT @carol: Short and sweet ${b.url}/notice/${carols}`);
    assert.equal(stored.repeat_of, null, 'an ordinary notice on the OMB side');
    const shown = `RT @carol: Short and sweet ${b.url}/notice/${carols}`;
    await waitFor("alice's home timeline", async () => textOf((await alice.get('/alice/all')).text).includes(shown));
  });

  it('shortens a long text so that it and the link fit in 140 characters', async () => {
    const long = `${'Lorem ipsum dolor sit amet, '.repeat(4)}the end is cut`;
    assert.equal((await carol.post('/notice/new', { content: long, returnto: '/' })).status, 303);
    const carols = await latestNoticeId(b, 'carol');
    assert.equal((await bob.post('/main/repeat', { notice: String(carols) })).status, 303);
    await waitFor('the long repeat on A', async () => (await storedOnA(/^RT @carol: Lorem/)) !== undefined, 20_000);
    const content: string = (await storedOnA(/^RT @carol: Lorem/)).content;
    assert.equal([...content].length <= 140, true, content);
    assert.match(content, new RegExp(`^RT @carol: Lorem ipsum[^…]*… ${b.url}/notice/${carols}$`));
  });

  it('keeps a favorite of a notice that came by OMB on A: nothing is sent', async () => {
    const omb = await storedOnA(/^RT @carol: Short/);
    await alice.get('/alice/all');
    assert.equal((await alice.post('/main/favor', { notice: String(omb.id) })).status, 303);
    assert.match(textOf((await alice.get('/alice/all')).text), /1 favorite Unfavorite/);
    // The protocol-neutral job ran, and neither protocol found anything to send.
    const job = () => a.runtime.ctx.db('pgboss.job').where({ name: 'favorite.distribute' }).first('state');
    await waitFor('favorite.distribute done', async () => (await job())?.state === 'completed', 20_000);
    const deliveries = await a.runtime.ctx.db.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE 'ap.%' OR name LIKE 'omb.%'`);
    assert.equal(deliveries.rows[0].n, 0, 'no delivery queued on A');
    assert.equal((await b.runtime.ctx.db('favorites')).length, 0);
  });
});
