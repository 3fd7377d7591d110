// Moderation in real Chromium, with JavaScript and without: reporting a notice from its link,
// a moderator closing the report from the admin pages; axe-core on every admin page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { WebClient } from '../helpers/web-client.ts';
import { assertAccessible, launchBrowser, screenshot, step, withPage } from '../helpers/browser.ts';
import { latestNoticeId } from '../helpers/moderation.ts';

const PASSWORD = 'correct horse battery';
let server: TestServer;
let browser: Browser;

async function logIn(page: Page, nickname: string): Promise<void> {
  await page.goto(`${server.url}/main/login`);
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.url}/${nickname}/all`);
}

before(async () => {
  // Approval mode, so that the registrations page shows its accept and reject forms too.
  server = await startTestServer({ env: { REGISTRATION: 'approval' } });
  browser = await launchBrowser();
  const db = server.runtime.ctx.db;
  const bcrypt = await import('bcrypt');
  const hash = await bcrypt.hash(PASSWORD, 4);
  for (const [nickname, isAdmin, isModerator] of [['ada', true, false], ['mod', false, true], ['bob', false, false], ['eve', false, false]] as const) {
    const [profile] = await db('profiles').insert({ nickname, is_local: true }).returning('id');
    await db('users').insert({ id: profile.id, password_hash: hash, is_admin: isAdmin, is_moderator: isModerator });
  }
  const eve = new WebClient(server.url);
  await eve.get('/main/login');
  await eve.post('/main/login', { nickname: 'eve', password: PASSWORD });
  await eve.get('/eve/all');
  for (const javaScript of [true, false]) await eve.post('/notice/new', { content: `Cheap pills, ${javaScript ? 'scripted' : 'plain'} edition`, returnto: '/' });
  await db('users').insert({ id: (await db('profiles').insert({ nickname: 'waiting', is_local: true }).returning('id'))[0].id, password_hash: hash, approved_at: null, signup_reason: 'I like birds' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`reporting and closing a report (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('reports a notice from its link, then a moderator deletes it from the admin pages', async () => {
      const text = `Cheap pills, ${javaScript ? 'scripted' : 'plain'} edition`;
      await withPage(browser, { javaScript }, async (page) => {
        await logIn(page, 'bob');
        await step(page, 'open the report form from the notice', async () => {
          await page.goto(`${server.url}/`);
          await page.locator('li.notice', { hasText: text }).getByRole('link', { name: 'Report this notice' }).click();
          await page.waitForURL(/\/main\/report\?notice=\d+$/);
          await page.getByRole('heading', { name: 'Report eve' }).waitFor();
        });
        await assertAccessible(page, javaScript);
        await step(page, 'send it (with script: first without a reason, past the browser’s own check)', async () => {
          await page.getByLabel(/Anything the moderators should know/).fill('Please look.');
          if (javaScript) {
            await page.evaluate(`document.querySelectorAll('input[name=reason]').forEach((el) => el.removeAttribute('required'))`);
            await page.getByRole('button', { name: 'Send report' }).click();
            await page.getByText('Choose a reason from the list.').waitFor();
            assert.equal(await page.getByLabel(/Anything the moderators should know/).inputValue(), 'Please look.');
          }
          await page.getByLabel('Spam').check();
          await page.getByRole('button', { name: 'Send report' }).click();
          await page.getByRole('heading', { name: 'Report sent' }).waitFor();
        });
        await screenshot(page, `${mode}-report-sent`);
      });

      await withPage(browser, { javaScript }, async (page) => {
        await logIn(page, 'mod');
        await step(page, 'find the report from the admin overview', async () => {
          await page.getByRole('link', { name: 'Admin' }).click();
          await page.waitForURL(`${server.url}/admin`);
          await page.getByRole('heading', { name: 'Open reports' }).waitFor();
          await page.getByRole('row', { name: /eve.*bob.*Spam/ }).getByRole('link').first().click();
          await page.waitForURL(/\/admin\/reports\/\d+$/);
          await page.getByText(text).waitFor();
          await page.getByText('Please look.').waitFor();
        });
        await assertAccessible(page, javaScript);
        await step(page, 'close it (with script: first without an action, past the browser’s own check)', async () => {
          await page.getByLabel('Note for the log (optional)').fill('pills again');
          if (javaScript) {
            await page.evaluate(`document.querySelectorAll('input[name=action]').forEach((el) => el.removeAttribute('required'))`);
            await page.getByRole('button', { name: 'Close report' }).click();
            await page.getByText('Choose an action from the list.').waitFor();
            assert.equal(await page.getByLabel('Note for the log (optional)').inputValue(), 'pills again');
          }
        });
        await step(page, 'close it by deleting the notice', async () => {
          await page.getByLabel('Delete the notice').check();
          await page.getByRole('button', { name: 'Close report' }).click();
          await page.waitForURL(`${server.url}/admin/reports`);
        });
        await screenshot(page, `${mode}-report-closed`);
      });
      const row = await server.runtime.ctx.db('notices').where({ content: text }).first();
      assert.equal(row, undefined, 'the notice is deleted');
    });
  });
}

describe('every admin page passes axe-core', () => {
  it('overview, reports, a report, registrations, a person, deleting a notice, invites and the log (and accepting a sign-up)', async () => {
    const reportId = Number((await server.runtime.ctx.db('reports').orderBy('id').first('id')).id);
    // Eve's notices were deleted above: one more for the delete page.
    const eve = new WebClient(server.url);
    await eve.get('/main/login');
    await eve.post('/main/login', { nickname: 'eve', password: PASSWORD });
    await eve.get('/eve/all');
    await eve.post('/notice/new', { content: 'One more for the delete page', returnto: '/' });
    const noticeId = await latestNoticeId(server, 'eve');
    await withPage(browser, { javaScript: true }, async (page) => {
      await logIn(page, 'ada');
      await page.goto(`${server.url}/admin/invites`);
      await page.getByRole('button', { name: 'Create an invite link' }).click();
      await page.waitForURL(`${server.url}/admin/invites`);
      await page.goto(`${server.url}/admin/people/eve`);
      await page.getByRole('button', { name: 'Silence eve' }).click();
      await page.waitForURL(`${server.url}/admin/people/eve`);
      const paths = ['/admin', '/admin/reports', '/admin/reports?all=1', `/admin/reports/${reportId}`, '/admin/registrations', '/admin/people/eve', '/admin/invites', '/admin/log', `/admin/notices/${noticeId}/delete`];
      for (const path of paths) {
        await step(page, `axe on ${path}`, async () => {
          const response = await page.goto(`${server.url}${path}`);
          assert.equal(response?.status(), 200, path);
          await assertAccessible(page, true);
        });
      }
      await screenshot(page, 'admin-log');
      await page.goto(`${server.url}/admin/registrations`);
      await page.getByRole('button', { name: 'Accept waiting' }).click();
      await page.waitForURL(`${server.url}/admin/registrations`);
      assert.match(await page.locator('body').innerText(), /Nobody is waiting/);
    });
  });
});
