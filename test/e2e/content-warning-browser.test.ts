// A notice with a content warning (a remote note's summary) in real Chromium, with JavaScript and
// without: the warning shows, the text stays folded until the reader opens it, and axe-core finds
// nothing serious on the page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { assertAccessible, launchBrowser, step, withPage } from '../helpers/browser.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let browser: Browser;
let peerProfileId: number;

const AS = 'https://www.w3.org/ns/activitystreams';

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  peer = await startApPeer();
  browser = await launchBrowser();
  peer.answers.set('peer', 'accept');
  const alice = await registeredClient(server.url, 'alice');
  await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
  peerProfileId = Number((await server.runtime.ctx.db('profiles').where({ uri: peer.actorUri('peer') }).first()).id);
  await waitFor('the subscription', async () => (await server.runtime.ctx.db('subscriptions').where({ subscribed_id: peerProfileId })).length === 1);
  const id = `${peer.actorUri('peer')}/notes/cw`;
  const note = { id, type: 'Note', attributedTo: peer.actorUri('peer'), summary: 'film spoilers', content: '<p>they all had soup in the end</p>', to: [`${AS}#Public`] };
  const create = { '@context': AS, id: `${id}#create`, type: 'Create', actor: peer.actorUri('peer'), to: [`${AS}#Public`], object: note };
  assert.equal((await peer.signedPost('peer', `${server.url}/inbox`, JSON.stringify(create))).status, 202);
});
after(async () => {
  await browser?.close();
  await peer?.stop();
  await server?.stop();
});

for (const javaScript of [true, false]) {
  describe(`content warnings (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('shows the warning and keeps the text folded until it is opened', async () => {
      await withPage(browser, { javaScript }, async (page) => {
        await page.goto(`${server.url}/remote/${peerProfileId}`);
        const text = page.getByText('they all had soup in the end');
        await step(page, 'the warning shows, the text does not', async () => {
          assert.ok(await page.getByText('Content warning: film spoilers').isVisible());
          assert.equal(await text.isVisible(), false);
        });
        await assertAccessible(page, javaScript);
        await step(page, 'opening the warning shows the text', async () => {
          await page.getByText('Content warning: film spoilers').click();
          await text.waitFor({ state: 'visible', timeout: 5000 });
        });
      });
    });
  });
}
