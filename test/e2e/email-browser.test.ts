// Confirming an address and recovering a forgotten password in real Chromium, with JavaScript and
// without, following the links of emails that arrive at a real SMTP server in the test process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, registerInBrowser, screenshot, step, withPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import type { TestSmtpServer } from '../helpers/smtp.ts';

let server: TestServer;
let smtp: TestSmtpServer;
let browser: Browser;

before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`email in the browser (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('confirms an address from settings, then gets back in through password recovery', async () => {
      const nickname = `hana${mode}`;
      const address = `${nickname}@example.org`;
      await withPage(browser, { javaScript }, async (page) => {
        await step(page, 'hana registers and opens her email settings', async () => {
          await registerInBrowser(page, server.url, nickname);
          await page.goto(`${server.url}/settings/profile`);
          await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Email' }).click();
          await page.waitForURL(`${server.url}/settings/email`);
        });
        await assertAccessible(page, javaScript);
        await step(page, 'a bad address is refused and stays as typed', async () => {
          await page.getByLabel('Email address').fill('hana at example');
          await page.getByRole('button', { name: 'Save address' }).click();
          await page.getByText('does not look like an e-mail address').first().waitFor();
          assert.equal(await page.getByLabel('Email address').inputValue(), 'hana at example');
        });
        await step(page, 'she gives her address and is told to follow the link', async () => {
          await page.getByLabel('Email address').fill(address);
          await page.getByRole('button', { name: 'Save address' }).click();
          await page.getByText('We sent a confirmation link').waitFor();
        });
        const confirmation = await smtp.next((m) => m.envelopeTo.includes(address));
        await step(page, 'she follows the link and confirms', async () => {
          await page.goto(`${server.url}${linkIn(confirmation, '/main/confirmaddress/')}`);
          await page.getByRole('button', { name: 'Confirm this address' }).click();
          await page.waitForURL(`${server.url}/settings/email?done=confirmed`);
          await page.getByText(`Confirmed address: ${address}`).waitFor();
        });
        await screenshot(page, `email-settings-${mode}`);
        await step(page, 'she logs out', async () => {
          await page.getByRole('button', { name: 'Log out' }).click();
          await page.waitForURL(`${server.url}/`);
        });
      });

      await withPage(browser, { javaScript }, async (page) => {
        await step(page, 'on the login page, she follows "Forgot your password?" and asks for a link', async () => {
          await page.goto(`${server.url}/main/login`);
          await page.getByRole('link', { name: 'Forgot your password?' }).click();
          await page.waitForURL(`${server.url}/main/recoverpassword`);
          await page.getByLabel('Nickname or email address').fill(address);
          await page.getByRole('button', { name: 'Send me a link' }).click();
          await page.getByText('we have sent a link').waitFor();
        });
        await assertAccessible(page, javaScript);
        const recovery = await smtp.next((m) => m.envelopeTo.includes(address) && /new password/.test(m.subject));
        await step(page, 'she opens the link and chooses a new password, after a refusal', async () => {
          await page.goto(`${server.url}${linkIn(recovery, '/main/recoverpassword/')}`);
          await page.getByLabel('New password', { exact: true }).fill('short');
          await page.getByLabel('Confirm new password').fill('short');
          await page.getByRole('button', { name: 'Set new password' }).click();
          await page.getByText('at least 8 characters long').waitFor();
          await page.getByLabel('New password', { exact: true }).fill('a brand new password');
          await page.getByLabel('Confirm new password').fill('a brand new password');
          await page.getByRole('button', { name: 'Set new password' }).click();
          await page.waitForURL(`${server.url}/main/login?recovered=1`);
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `email-recovered-${mode}`);
        await step(page, 'she logs in with the new password', async () => {
          await page.getByLabel('Nickname').fill(nickname);
          await page.getByLabel('Password').fill('a brand new password');
          await page.getByRole('button', { name: 'Log in' }).click();
          await page.waitForURL(`${server.url}/${nickname}/all`);
        });
        await step(page, 'the used link now says it no longer works', async () => {
          const response = await page.goto(`${server.url}${linkIn(recovery, '/main/recoverpassword/')}`);
          assert.equal(response?.status(), 410);
          await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
        });
      });
    });
  });
}
