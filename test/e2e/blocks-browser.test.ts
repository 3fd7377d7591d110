// Blocking, muting, leaving and cutting off servers in real Chromium, with JavaScript and without:
// the Block button and its confirmation, the settings list with its undo buttons, account deletion,
// the admin page of blocked servers and of a remote person, and the report form's forwarding box.
// axe-core on every page these add.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { assertAccessible, launchBrowser, screenshot, step, withPage } from '../helpers/browser.ts';

const PASSWORD = 'correct horse battery';
let server: TestServer;
let browser: Browser;
let remoteId: number;

async function logIn(page: Page, nickname: string): Promise<void> {
  await page.goto(`${server.url}/main/login`);
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.url}/${nickname}/all`);
}

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  const db = server.runtime.ctx.db;
  const bcrypt = await import('bcrypt');
  const hash = await bcrypt.hash(PASSWORD, 4);
  const people: [string, boolean][] = [['ada', true], ['bob', false], ['carol', false], ['alicejs', false], ['alicenojs', false], ['leaverjs', false], ['leavernojs', false]];
  for (const [nickname, isAdmin] of people) {
    const [profile] = await db('profiles').insert({ nickname, is_local: true }).returning('id');
    await db('users').insert({ id: profile.id, password_hash: hash, is_admin: isAdmin });
  }
  const [remote] = await db('profiles').insert({ nickname: 'spammer', is_local: false, uri: 'https://spam.example/users/spammer', profile_url: 'https://spam.example/@spammer' }).returning('id');
  remoteId = Number(remote.id);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  const me = `alice${mode}`;
  describe(`blocking and muting (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('blocks from the profile after a confirmation, and unblocks from the settings list', async () => {
      await withPage(browser, { javaScript }, async (page) => {
        await logIn(page, me);
        await step(page, 'the Block button asks first', async () => {
          await page.goto(`${server.url}/bob`);
          await page.getByRole('button', { name: 'Block bob' }).click();
          await page.waitForURL(/\/main\/block\?profile=\d+/);
          await page.getByRole('heading', { name: 'Block bob?' }).waitFor();
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-block-confirm`);
        await step(page, 'confirm', async () => {
          await page.getByRole('button', { name: 'Yes, block bob' }).click();
          await page.waitForURL(`${server.url}/bob`);
          await page.getByText('You block them.').waitFor();
          assert.equal(await page.getByRole('button', { name: 'Subscribe to bob' }).count(), 0);
        });
        await step(page, 'mute carol from her profile', async () => {
          await page.goto(`${server.url}/carol`);
          await page.getByRole('button', { name: 'Mute carol' }).click();
          await page.waitForURL(`${server.url}/carol`);
          await page.getByRole('button', { name: 'Unmute carol' }).waitFor();
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-profile-muted`);
        await step(page, 'both are listed in settings', async () => {
          await page.goto(`${server.url}/settings/profile`);
          await page.getByRole('link', { name: 'Blocked and muted' }).click();
          await page.waitForURL(`${server.url}/settings/blocks`);
          await page.getByRole('row', { name: /bob Blocked/ }).waitFor();
          await page.getByRole('row', { name: /carol Muted/ }).waitFor();
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-blocked-list`);
        await step(page, 'undo both from the list', async () => {
          await page.getByRole('button', { name: 'Unblock bob' }).click();
          await page.waitForURL(`${server.url}/settings/blocks`);
          await page.getByRole('button', { name: 'Unmute carol' }).click();
          await page.waitForURL(`${server.url}/settings/blocks`);
          await page.getByText('You block and mute nobody.').waitFor();
        });
      });
      assert.equal((await server.runtime.ctx.db('blocks')).length, 0);
    });
  });

  describe(`deleting one's account (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('asks for the password, refuses a wrong one, then deletes', async () => {
      const nickname = `leaver${mode}`;
      await withPage(browser, { javaScript }, async (page) => {
        await logIn(page, nickname);
        await step(page, 'open the page from the settings', async () => {
          await page.goto(`${server.url}/settings/profile`);
          await page.getByRole('link', { name: 'Delete account' }).click();
          await page.waitForURL(`${server.url}/settings/delete`);
        });
        await assertAccessible(page, javaScript);
        await step(page, 'a wrong password', async () => {
          await page.getByLabel('Your password').fill('not my password');
          await page.getByRole('button', { name: 'Delete my account for good' }).click();
          await page.getByText('That is not your password.').waitFor();
        });
        await assertAccessible(page, javaScript);
        await step(page, 'the right one', async () => {
          await page.getByLabel('Your password').fill(PASSWORD);
          await page.getByRole('button', { name: 'Delete my account for good' }).click();
          await page.getByRole('heading', { name: 'Your account has been deleted' }).waitFor();
          assert.equal(await page.getByRole('link', { name: 'Log in' }).count() > 0, true, 'signed out');
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-account-deleted`);
      });
      assert.equal(await server.runtime.ctx.db('profiles').where({ nickname, is_local: true }).first(), undefined);
    });
  });

  describe(`blocking a server (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('blocks and lifts from /admin/domains, keeping what was typed on an error', async () => {
      const host = `spam-${mode}.example`;
      await withPage(browser, { javaScript }, async (page) => {
        await logIn(page, 'ada');
        await step(page, 'open the page from the admin menu', async () => {
          await page.goto(`${server.url}/admin`);
          await page.getByRole('link', { name: 'Servers' }).click();
          await page.waitForURL(`${server.url}/admin/domains`);
        });
        await assertAccessible(page, javaScript);
        await step(page, 'a bad host is refused, the note kept', async () => {
          await page.getByLabel('Server (host name)').fill('not a host');
          await page.getByLabel('Note for the log (optional)').fill('spam wave');
          await page.getByRole('button', { name: 'Block this server' }).click();
          await page.getByText('Type a host name such as spam.example').waitFor();
          assert.equal(await page.getByLabel('Note for the log (optional)').inputValue(), 'spam wave');
        });
        await assertAccessible(page, javaScript);
        await step(page, 'silence a good one', async () => {
          await page.getByLabel('Server (host name)').fill(host);
          await page.getByLabel(/^Silence:/).check();
          await page.getByRole('button', { name: 'Block this server' }).click();
          await page.waitForURL(`${server.url}/admin/domains`);
          await page.getByRole('row', { name: new RegExp(`${host} Silenced spam wave`) }).waitFor();
        });
        await screenshot(page, `${mode}-domain-blocked`);
        await step(page, 'lift it', async () => {
          await page.getByRole('button', { name: `Lift the block of ${host}` }).click();
          await page.waitForURL(`${server.url}/admin/domains`);
          await page.getByText('No server is blocked.').waitFor();
        });
      });
    });
  });
}

describe('pages for people on other servers pass axe-core', () => {
  it('the report form with its forwarding box, and the admin page of a remote person', async () => {
    await withPage(browser, { javaScript: true }, async (page) => {
      await logIn(page, 'ada');
      await step(page, 'the report form offers forwarding', async () => {
        await page.goto(`${server.url}/main/report?profile=${remoteId}`);
        await page.getByLabel('Also send this report to the moderators of spam.example').check();
      });
      await assertAccessible(page, true);
      await step(page, 'suspend the remote person from their page', async () => {
        await page.goto(`${server.url}/remote/${remoteId}`);
        await page.getByRole('link', { name: 'Moderate spammer@spam.example' }).click();
        await page.waitForURL(`${server.url}/admin/remote/${remoteId}`);
      });
      await assertAccessible(page, true);
      await page.getByRole('button', { name: 'Suspend spammer@spam.example' }).click();
      await page.waitForURL(`${server.url}/admin/remote/${remoteId}`);
      await page.getByText('suspended', { exact: true }).waitFor();
      await screenshot(page, 'remote-person-suspended');
    });
  });
});
