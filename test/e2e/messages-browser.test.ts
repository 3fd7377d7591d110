// Direct messages in real Chromium, with JavaScript and without: bob subscribes to alice, she
// follows "Message" on his profile, is refused an empty message with what she typed kept, sends
// one; bob finds it under Messages, reads it, and deletes it from his inbox while her outbox
// keeps it. axe-core checks every messages page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, newContext, registerInBrowser, screenshot, step } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`direct messages in the browser (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('write to a subscriber from his profile, read it in his inbox, delete it from there only', async () => {
      const [aliceName, bobName] = [`alicedm${mode}`, `bobdm${mode}`];
      const aliceContext = await newContext(browser, { javaScript });
      const bobContext = await newContext(browser, { javaScript });
      const alice = await aliceContext.newPage();
      const bob = await bobContext.newPage();
      try {
        await step(alice, 'alice registers', () => registerInBrowser(alice, server.url, aliceName));
        await step(bob, 'bob registers and subscribes to alice', async () => {
          await registerInBrowser(bob, server.url, bobName);
          await bob.goto(`${server.url}/${aliceName}`);
          await bob.getByRole('button', { name: `Subscribe to ${aliceName}` }).click();
          await bob.getByRole('button', { name: `Unsubscribe from ${aliceName}` }).waitFor();
          assert.equal(await bob.getByRole('link', { name: `Message ${aliceName}` }).count(), 0, 'alice does not subscribe to bob');
        });

        await step(alice, 'alice follows "Message" on bob’s profile', async () => {
          await alice.goto(`${server.url}/${bobName}`);
          await alice.getByRole('link', { name: `Message ${bobName}` }).click();
          await alice.waitForURL(`${server.url}/message/new?to=${bobName}`);
          assert.equal(await alice.getByLabel('To').inputValue(), bobName);
        });
        await assertAccessible(alice, javaScript);
        await step(alice, 'an empty message is refused, the recipient kept', async () => {
          await alice.getByLabel('Message', { exact: true }).fill('   ');
          await alice.getByRole('button', { name: 'Send message' }).click();
          await alice.getByText('the message is empty').waitFor();
          assert.equal(await alice.getByLabel('To').inputValue(), bobName);
        });
        await assertAccessible(alice, javaScript);
        await step(alice, 'she sends it and sees it in her outbox', async () => {
          await alice.getByLabel('Message', { exact: true }).fill(`Just between us, ${bobName}: the cake is a lie`);
          await alice.getByRole('button', { name: 'Send message' }).click();
          await alice.waitForURL(`${server.url}/${aliceName}/outbox?done=sent`);
          await alice.getByText('Your direct message was sent.').waitFor();
          await alice.getByText('the cake is a lie').waitFor();
        });
        await assertAccessible(alice, javaScript);
        await screenshot(alice, `messages-outbox-${mode}`);

        await step(bob, 'bob opens Messages and reads it', async () => {
          await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
          await bob.waitForURL(`${server.url}/${bobName}/inbox`);
          await bob.getByText('the cake is a lie').waitFor();
        });
        await assertAccessible(bob, javaScript);
        await screenshot(bob, `messages-inbox-${mode}`);
        await step(bob, 'he opens the message and deletes it, after being asked', async () => {
          await bob.locator('.message .permalink').first().click();
          await bob.waitForURL(/\/message\/\d+$/);
          await bob.getByRole('link', { name: 'Delete this message' }).click();
          await bob.getByRole('heading', { name: 'Delete this message?' }).waitFor();
          await bob.getByRole('button', { name: 'Yes, delete it' }).click();
          await bob.waitForURL(`${server.url}/${bobName}/inbox?done=deleted`);
          await bob.getByText('Nobody has sent you a direct message yet.').waitFor();
        });
        await assertAccessible(bob, javaScript);
        await step(alice, 'her outbox keeps it', async () => {
          await alice.goto(`${server.url}/${aliceName}/outbox`);
          await alice.getByText('the cake is a lie').waitFor();
        });
        await step(bob, 'nobody else can open her outbox', async () => {
          const response = await bob.goto(`${server.url}/${aliceName}/outbox`);
          assert.equal(response?.status(), 404);
        });
      } finally {
        await aliceContext.close();
        await bobContext.close();
      }
    });
  });
}
