// Two real Ostrakon servers federating over loopback with OMB 0.1, in both directions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { profileChanged } from '../../src/domain/profile-changes.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A
let bob: WebClient; // on B

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function post(client: WebClient, content: string): Promise<void> {
  const page = await client.post('/notice/new', { content, returnto: '/' });
  assert.equal(page.status, 303, textOf(page.text));
}

async function homeText(client: WebClient, nickname: string): Promise<string> {
  return (await client.get(`/${nickname}/all`)).text;
}

describe('OMB federation between two servers', () => {
  it('lets alice on A subscribe to bob on B through the remote subscribe flow', async () => {
    const { authorizePage, finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
    assert.match(textOf(authorizePage.text), new RegExp(`Subscribe to bob@127\\.0\\.0\\.1:${b.port}\\?`), 'the page names the site bob lives on');
    assert.match(authorizePage.text, /creativecommons\.org\/licenses\/by\/3\.0\//);
    assert.equal(finish.status, 303, textOf(finish.text));
    assert.equal(finish.location, '/bob/subscribers');
    const subscribers = await bob.get('/bob/subscribers');
    assert.match(textOf(subscribers.text), new RegExp(`alice@127\\.0\\.0\\.1:${a.port}`));
    const following = await alice.get('/alice/subscriptions');
    assert.match(textOf(following.text), new RegExp(`bob@127\\.0\\.0\\.1:${b.port}`));
  });

  it('delivers bob’s new notice to alice’s home timeline on A, escaped, with a link to the original', async () => {
    await post(bob, 'Hello from B <b>bold</b> #omb');
    let home = '';
    await waitFor('the notice on A', async () => (home = await homeText(alice, 'alice')).includes('Hello from B'));
    assert.match(home, /Hello from B &#60;b&#62;bold&#60;\/b&#62;/);
    assert.doesNotMatch(home, /<b>bold/);
    assert.match(home, new RegExp(`bob@127\\.0\\.0\\.1:${b.port}`));
    const original = new RegExp(`href="${b.url}/notice/\\d+" class="permalink"`);
    assert.match(home, original);
    const stored = await a.runtime.ctx.db('notices').where({ is_local: false });
    assert.equal(stored.length, 1);
    assert.match(stored[0].uri, new RegExp(`^${b.url}/notice/\\d+$`));
  });

  it('sends bob’s profile change to A', async () => {
    const { ctx } = b.runtime;
    await ctx.db.transaction(async (trx) => {
      const [row] = await trx('profiles').where({ nickname: 'bob', is_local: true }).update({ fullname: 'Bob <Builder>', bio: 'Writes about bees.' }).returning('id');
      await profileChanged(ctx, trx, row.id);
    });
    const remote = await a.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: false }).first();
    await waitFor('the new name on A', async () => (await a.runtime.ctx.db('profiles').where({ id: remote.id }).first()).fullname === 'Bob <Builder>');
    const page = await alice.get(`/remote/${remote.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Bob &lt;Builder&gt;/);
    assert.match(page.text, /Writes about bees\./);
    const after = await a.runtime.ctx.db('profiles').where({ id: remote.id }).first();
    assert.equal(after.uri, remote.uri, 'the identifier never changes');
    assert.equal(after.profile_url, remote.profile_url);
  });

  it('lets bob on B subscribe to alice on A the same way, and delivers alice’s notices to B', async () => {
    const { finish } = await remoteSubscribe(a, 'alice', bob, `${b.url}/bob`);
    assert.equal(finish.status, 303, textOf(finish.text));
    await post(alice, 'Greetings from A');
    await waitFor('the notice on B', async () => (await homeText(bob, 'bob')).includes('Greetings from A'));
  });

  it('stops pushes once alice unsubscribes: the next push gets 403 and B drops its side', async () => {
    const remote = await a.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: false }).first();
    const page = await alice.get(`/remote/${remote.id}`);
    assert.match(page.text, /Unsubscribe/);
    const done = await alice.post(`/remote/${remote.id}/unsubscribe`, {});
    assert.equal(done.status, 303);
    assert.equal((await a.runtime.ctx.db('omb_access_tokens').where({ subscribed_id: remote.id })).length, 0, 'the token is revoked');
    const bobId = (await b.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: true }).first()).id;
    const listenersBefore = await b.runtime.ctx.db('omb_remote_listeners').where({ subscribed_id: bobId });
    assert.equal(listenersBefore.length, 1);
    await post(bob, 'Nobody on A should read this');
    await waitFor('B to drop the subscription', async () => (await b.runtime.ctx.db('subscriptions').where({ subscribed_id: bobId })).length === 0);
    assert.equal((await b.runtime.ctx.db('omb_remote_listeners').where({ subscribed_id: bobId })).length, 0);
    assert.doesNotMatch(await homeText(alice, 'alice'), /Nobody on A should read this/);
    assert.equal((await a.runtime.ctx.db('notices').where({ content: 'Nobody on A should read this' })).length, 0);
  });
});
