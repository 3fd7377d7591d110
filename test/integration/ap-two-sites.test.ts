// Two Ostrakons federating over ActivityPub on loopback: alice on A follows bob on B by handle
// (WebFinger over http, as loopback has no TLS), B accepts, bob's notices reach alice's home
// timeline, his deletion withdraws one, and alice's unsubscribing ends his subscriber entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient;
let bob: WebClient;

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV })]);
  [alice, bob] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(b.url, 'bob')]);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('two Ostrakons over ActivityPub', () => {
  let bobOnA: number;

  it('alice follows @bob@B from the form; B accepts and lists her', async () => {
    const shown = await alice.get(`/main/follow?handle=${encodeURIComponent(`@bob@${new URL(b.url).host}`)}`);
    assert.match(shown.text, /name="protocol" value="activitypub"/, 'B speaks OMB too: ActivityPub is preferred');
    const page = await alice.post('/main/follow', { handle: `@bob@${new URL(b.url).host}` });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    bobOnA = Number(/\/remote\/(\d+)$/.exec(page.location!)![1]);
    await waitFor('alice subscribed on A', async () => textOf((await alice.get('/alice/subscriptions')).text).includes(`bob@${new URL(b.url).host}`), 20_000);
    assert.ok(textOf((await bob.get('/bob/subscribers')).text).includes(`alice@${new URL(a.url).host}`));
  });

  it("bob's notices reach alice's home timeline, and his deletion withdraws one", async () => {
    await bob.post('/notice/new', { content: 'Hello from B #greetings', returnto: '/' });
    await bob.post('/notice/new', { content: 'A second thought', returnto: '/' });
    await waitFor('both notices on A', async () => {
      const home = textOf((await alice.get('/alice/all')).text);
      return home.includes('Hello from B') && home.includes('A second thought');
    }, 20_000);
    const secondId = (await b.runtime.ctx.db('notices').where({ content: 'A second thought' }).first()).id;
    await bob.get(`/notice/delete/${secondId}`);
    assert.equal((await bob.post(`/notice/delete/${secondId}`, {})).status, 303);
    await waitFor('the deletion on A', async () => !textOf((await alice.get('/alice/all')).text).includes('A second thought'), 20_000);
    assert.ok(textOf((await alice.get(`/remote/${bobOnA}`)).text).includes('Hello from B'));
  });

  it("alice's unsubscribing removes her from bob's subscribers", async () => {
    await alice.get(`/remote/${bobOnA}`);
    assert.equal((await alice.post(`/remote/${bobOnA}/unsubscribe`, {})).status, 303);
    await waitFor('alice gone from B', async () => !textOf((await bob.get('/bob/subscribers')).text).includes('alice@'), 20_000);
  });
});
