// Following someone on another Ostrakon from the "another server" box, in real Chromium, with
// JavaScript and without: the box on the home timeline, the page that shows who a handle names (and
// a mistyped one answered on the form), the confirmation, the pending request, the Accept, and the
// writer's next notice on the reader's home timeline. axe-core on each page. Two host names, as a
// browser keeps cookies per host, not per port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, registerInBrowser, screenshot, step, withPage } from '../helpers/browser.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let browser: Browser;

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV, hostname: 'localhost' }), startTestServer({ env: FEDERATION_ENV })]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`following someone on another server from the box (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('finds the writer by handle, confirms, and reads their next notice at home', async () => {
      const [readerName, writerName] = [`reader${mode}`, `writer${mode}`];
      const bHost = new URL(b.url).host;
      const handle = `@${writerName}@${bHost}`;
      const writer = await registeredClient(b.url, writerName);
      await withPage(browser, { javaScript }, async (page) => {
        const box = () => page.getByRole('region', { name: 'Subscribe to someone on another server' });
        await step(page, 'the reader registers and finds the box on her home timeline', async () => {
          await registerInBrowser(page, a.url, readerName);
          await box().getByLabel('Their handle or profile address').waitFor();
        });
        await assertAccessible(page, javaScript);

        await step(page, 'a mistyped handle is answered on the form, with what she typed', async () => {
          await box().getByLabel('Their handle or profile address').fill(`@nobody${mode}@${bHost}`);
          await box().getByRole('button', { name: 'Find' }).click();
          await page.waitForURL((url) => url.pathname === '/main/follow');
          assert.match(await page.getByRole('alert').innerText(), new RegExp(`knows nobody called nobody${mode}`));
          assert.equal(await page.getByLabel('Handle or profile address').inputValue(), `@nobody${mode}@${bHost}`);
        });
        await assertAccessible(page, javaScript);
        if (javaScript) await screenshot(page, 'remote-follow-error');

        await step(page, 'the right handle shows the writer with a button to confirm', async () => {
          await page.getByLabel('Handle or profile address').fill(handle);
          await page.getByRole('button', { name: 'Find' }).click();
          await page.getByRole('heading', { name: `Subscribe to ${writerName}@${bHost}?` }).waitFor();
          await page.getByRole('link', { name: `${b.url}/${writerName}` }).waitFor();
        });
        await assertAccessible(page, javaScript);
        if (javaScript) await screenshot(page, 'remote-follow-confirm');

        await step(page, 'she confirms and lands on the writer’s page here; the Accept makes her a subscriber', async () => {
          await page.getByRole('button', { name: 'Subscribe' }).click();
          await page.waitForURL(/\/remote\/\d+$/);
          await waitFor('the Accept', async () => {
            await page.reload();
            return (await page.getByRole('button', { name: `Unsubscribe from ${writerName}@${bHost}` }).count()) === 1;
          }, 20_000);
        });
        await assertAccessible(page, javaScript);

        assert.equal((await writer.post('/notice/new', { content: `Hello, reader ${mode}`, returnto: '/' })).status, 303);
        await step(page, 'the writer’s notice shows on her home timeline', () =>
          waitFor('the notice', async () => {
            await page.goto(`${a.url}/${readerName}/all`);
            const text = await page.locator('main').innerText();
            return text.includes(`Hello, reader ${mode}`) && text.includes(`${writerName}@${bHost}`);
          }, 20_000),
        );
        await step(page, 'the box now says she reads them already', async () => {
          await box().getByLabel('Their handle or profile address').fill(handle);
          await box().getByRole('button', { name: 'Find' }).click();
          await page.waitForURL((url) => url.pathname === '/main/follow');
          assert.match(await page.getByRole('alert').innerText(), /You already subscribe/);
        });
      });
    });
  });
}
