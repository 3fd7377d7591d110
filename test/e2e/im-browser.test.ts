// /settings/im in real Chromium, with JavaScript and without: a Jabber ID refused and kept as typed,
// given, confirmed through the link the bot sends to a real chat client (Prosody on loopback),
// switches saved and checked by chat, the address removed; axe-core finds nothing serious.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, registerInBrowser, screenshot, step, withPage } from '../helpers/browser.ts';
import { chatLinkPath, TestChatClient } from '../helpers/chat-client.ts';
import { startProsody } from '../helpers/prosody.ts';
import type { TestProsody } from '../helpers/prosody.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

let prosody: TestProsody;
let server: TestServer;
let browser: Browser;
let bot: string;

before(async () => {
  prosody = await startProsody();
  bot = await prosody.register('bot', 'bot-password');
  server = await startTestServer({ env: { XMPP_SERVICE: prosody.service, XMPP_JID: bot, XMPP_PASSWORD: 'bot-password', XMPP_TLS: 'plain' } });
  await waitFor('the chat bot to come online', async () => server.runtime.chatBot?.isOnline === true, 30_000);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await prosody?.stop();
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`IM settings in the browser (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('gives a Jabber ID, confirms it from the chat client, sets the switches and removes it', async () => {
      const nickname = `kim${mode}`;
      const chat = await TestChatClient.connect(prosody.service, await prosody.register(nickname, 'chat-password'), 'chat-password');
      try {
        await withPage(browser, { javaScript }, async (page) => {
          await step(page, 'kim registers and opens her IM settings', async () => {
            await registerInBrowser(page, server.url, nickname);
            await page.goto(`${server.url}/settings/profile`);
            await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'IM' }).click();
            await page.waitForURL(`${server.url}/settings/im`);
            await page.getByText(`The site’s bot is ${bot}`).waitFor();
          });
          await assertAccessible(page, javaScript);
          await step(page, 'something that is no Jabber ID is refused and stays as typed', async () => {
            await page.getByLabel('Jabber ID').fill('kim at home');
            await page.getByRole('button', { name: 'Save Jabber ID' }).click();
            await page.getByText('does not look like a Jabber ID').first().waitFor();
            assert.equal(await page.getByLabel('Jabber ID').inputValue(), 'kim at home');
          });
          await assertAccessible(page, javaScript);
          await step(page, 'she gives her Jabber ID and is told to open the link', async () => {
            await page.getByLabel('Jabber ID').fill(chat.jid);
            await page.getByRole('button', { name: 'Save Jabber ID' }).click();
            await page.getByText('The bot sent a confirmation link').waitFor();
            await page.getByText(`Waiting for confirmation: ${chat.jid}`).waitFor();
          });
          const message = await chat.nextFrom(bot, /confirmim/);
          await step(page, 'she opens the link from her chat client and confirms', async () => {
            await page.goto(`${server.url}${chatLinkPath(message, '/main/confirmim/')}`);
            await assertAccessible(page, javaScript);
            await page.getByRole('button', { name: 'Confirm this Jabber ID' }).click();
            await page.waitForURL(`${server.url}/settings/im?done=confirmed`);
            await page.getByText(`Confirmed address: ${chat.jid}`).waitFor();
          });
          await assertAccessible(page, javaScript);
          await screenshot(page, `im-settings-${mode}`);
          await step(page, 'she switches posting by chat off', async () => {
            await page.getByLabel('Post what I send to the bot as notices').uncheck();
            await page.getByRole('button', { name: 'Save IM settings' }).click();
            await page.waitForURL(`${server.url}/settings/im?done=switches`);
            assert.equal(await page.getByLabel('Post what I send to the bot as notices').isChecked(), false);
            assert.equal(await page.getByLabel('Send me the notices of the people I subscribe to').isChecked(), true);
          });
          await chat.send(bot, 'hello from the chat');
          assert.match((await chat.nextFrom(bot)).body, /Posting by chat is switched off/);
          await step(page, 'she removes her Jabber ID', async () => {
            await page.getByRole('button', { name: 'Remove my Jabber ID' }).click();
            await page.waitForURL(`${server.url}/settings/im?done=removed`);
            await page.getByText('You have no confirmed Jabber ID').waitFor();
          });
          await assertAccessible(page, javaScript);
        });
        await chat.send(bot, 'stats');
        assert.match((await chat.nextFrom(bot)).body, /not confirmed for any account/);
      } finally {
        await chat.stop();
      }
    });
  });
}
