// Searching notices and people from the navigation box in real Chromium, with JavaScript and
// without, following a result; axe-core on the result pages; feeds parsed by the browser's XML parser.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';
import { assertAccessible, launchBrowser, screenshot, step, withPage } from '../helpers/browser.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  const ada = await registeredClient(server.url, 'ada');
  await server.runtime.ctx.db('profiles').where({ nickname: 'ada' }).update({ fullname: 'Ada Lovelace' });
  await ada.post('/notice/new', { content: 'The analytical engine weaves algebraic patterns #engines', returnto: '/' });
  await ada.post('/notice/new', { content: 'Tricky <b>text</b> & ]]> 😀 #engines', returnto: '/' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`search from the navigation (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('finds notices and people, and follows a result', async () => {
      await withPage(browser, { javaScript }, async (page) => {
        await step(page, 'search notices from the nav box', async () => {
          await page.goto(`${server.url}/`);
          await page.getByRole('search', { name: 'Search this site' }).getByLabel('Search for').fill('analytical');
          await page.getByRole('button', { name: 'Search notices' }).click();
          await page.waitForURL(`${server.url}/search/notice?q=analytical`);
          await page.getByRole('heading', { name: 'Results for “analytical”' }).waitFor();
          assert.equal(await page.locator('li.notice').count(), 1);
          assert.equal(await page.getByRole('searchbox', { name: 'Search notices' }).inputValue(), 'analytical');
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-search-notices`);

        await step(page, 'follow the notice to its page', async () => {
          await page.locator('li.notice').first().locator('a.permalink').click();
          await page.waitForURL(/\/notice\/\d+$/);
          await page.getByText('The analytical engine').first().waitFor();
        });

        await step(page, 'search people from the nav box', async () => {
          await page.getByRole('search', { name: 'Search this site' }).getByLabel('Search for').fill('lovelace');
          await page.getByRole('button', { name: 'Search people' }).click();
          await page.waitForURL(`${server.url}/search/people?q=lovelace`);
          await page.getByRole('heading', { name: 'Results for “lovelace”' }).waitFor();
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-search-people`);
        await step(page, 'follow the person to their profile', async () => {
          await page.getByRole('link', { name: 'Ada Lovelace' }).click();
          await page.waitForURL(`${server.url}/ada`);
          await page.getByRole('heading', { level: 1, name: /Ada Lovelace/ }).waitFor();
        });

        await step(page, 'a search that is too long is refused with the text kept', async () => {
          const long = 'y'.repeat(201);
          await page.getByRole('search', { name: 'Search this site' }).getByLabel('Search for').fill(long);
          await page.getByRole('button', { name: 'Search notices' }).click();
          await page.getByText('That search is too long').waitFor();
          assert.equal(await page.getByRole('searchbox', { name: 'Search notices' }).inputValue(), long);
        });
        await assertAccessible(page, javaScript);

        await step(page, 'the tag cloud links to a tag page', async () => {
          await page.getByRole('link', { name: 'Tags', exact: true }).click();
          await page.waitForURL(`${server.url}/tags`);
          await page.getByRole('link', { name: /#engines/ }).click();
          await page.waitForURL(`${server.url}/tag/engines`);
        });
        await assertAccessible(page, javaScript);
      });
    });
  });
}

describe('feeds in the browser', () => {
  it('parse without errors in the browser’s own XML parser', async () => {
    await withPage(browser, { javaScript: true }, async (page) => {
      await page.goto(`${server.url}/tags`);
      for (const path of ['/rss', '/atom', '/tag/engines/atom', '/search/notice/rss?q=tricky']) {
        const result = (await page.evaluate(`fetch(${JSON.stringify(path)}).then((r) => r.text()).then((text) => {
          const doc = new DOMParser().parseFromString(text, 'application/xml');
          const error = doc.getElementsByTagName('parsererror')[0];
          return { error: error ? error.textContent : null, root: doc.documentElement.nodeName, items: doc.querySelectorAll('item, entry').length };
        })`)) as { error: string | null; root: string; items: number };
        assert.equal(result.error, null, path);
        assert.ok(['rss', 'feed'].includes(result.root), `${path}: ${result.root}`);
        assert.ok(result.items > 0, path);
      }
    });
  });
});
