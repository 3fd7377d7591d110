// The favorite and repeat buttons in real Chromium, with JavaScript and without: each is a plain
// form that comes back to the notice it was pressed on, in its new state; the favorites page and
// /favorited pass axe-core.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, launchBrowser, registerInBrowser, screenshot, step, withPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

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

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`favorite and repeat buttons (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('favorites and repeats a notice, then takes both back, coming back to the notice each time', async () => {
      const author = `bob${mode}`;
      const reader = `alice${mode}`;
      const bob = await registeredClient(server.url, author);
      assert.equal((await bob.post('/notice/new', { content: `A notice worth keeping (${mode})`, returnto: '/' })).status, 303);
      const noticeId = Number((await server.runtime.ctx.db('notices').orderBy('id', 'desc').first('id')).id);

      await withPage(browser, { javaScript }, async (page) => {
        await registerInBrowser(page, server.url, reader);
        await step(page, 'she favorites bob’s notice on his page', async () => {
          await page.goto(`${server.url}/${author}`);
          await button(page, `Favorite the notice by ${author}`).click();
          await page.waitForURL(`${server.url}/${author}#notice-${noticeId}`);
          await button(page, `Unfavorite the notice by ${author}`).waitFor();
          await page.locator(`#notice-${noticeId} .favorite-count`).getByText('1 favorite').waitFor();
        });
        await assertAccessible(page, javaScript);
        await step(page, 'she repeats it', async () => {
          await button(page, `Repeat the notice by ${author}`).click();
          await page.waitForURL(`${server.url}/${author}#notice-${noticeId}`);
          await button(page, `Undo repeat the notice by ${author}`).waitFor();
        });
        await step(page, 'her stream shows the repeat, and her favorites the notice', async () => {
          await page.goto(`${server.url}/${reader}`);
          await page.getByText(`Repeated by ${reader}`).waitFor();
          await page.getByText(`A notice worth keeping (${mode})`).waitFor();
          await screenshot(page, `repeat-${mode}`);
          await page.goto(`${server.url}/${reader}/favorites`);
          await page.getByRole('link', { name: 'Favorites', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
          await page.getByText(`A notice worth keeping (${mode})`).waitFor();
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `favorites-${mode}`);
        await step(page, 'she takes the favorite back from her favorites page, and the repeat from her stream', async () => {
          await button(page, `Unfavorite the notice by ${author}`).click();
          await page.waitForURL(new RegExp(`/${reader}/favorites#notice-${noticeId}$`));
          await page.getByText('No favorites yet.').waitFor();
          await page.goto(`${server.url}/${reader}`);
          await button(page, `Undo repeat the notice by ${author}`).click();
          await page.getByText('No notices yet.').waitFor();
        });
        await step(page, 'the popular page lists what is favorited', async () => {
          await page.goto(`${server.url}/${author}`);
          await button(page, `Favorite the notice by ${author}`).click();
          await page.waitForURL(`${server.url}/${author}#notice-${noticeId}`);
          await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Popular' }).click();
          await page.waitForURL(`${server.url}/favorited`);
          await page.getByText(`A notice worth keeping (${mode})`).waitFor();
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `favorited-${mode}`);
      });
    });
  });
}
