// The OMB remote subscribe flow as a person clicks it in Chromium: register at home, ask the
// remote site to subscribe, accept at home, see the remote writer's next notice arrive.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { assertAccessible, registerInBrowser, screenshot, step, withPage } from './browser.ts';
import { waitFor } from './server.ts';
import { registeredClient } from './web-client.ts';

/** A running Ostrakon, by the address people and peers use. */
export type Site = { url: string };

/** The host part a remote nickname is shown with (`name@host`). */
function hostOf(site: Site): string {
  return new URL(site.url).host;
}

/**
 * A reader registers on `home` in the browser, asks `remote` to subscribe them to a writer there,
 * accepts on `home`, and then sees the writer's next notice on their home timeline.
 */
export async function subscribeAcross(browser: Browser, home: Site, remote: Site, javaScript: boolean, label: string): Promise<void> {
  const [readerName, writerName] = [`reader${label}`, `writer${label}`];
  const writer = await registeredClient(remote.url, writerName);
  await withPage(browser, { javaScript }, async (page) => {
    await step(page, 'the reader registers on their home site', () => registerInBrowser(page, home.url, readerName));
    await step(page, 'the reader asks the remote site to subscribe them', async () => {
      await page.goto(`${remote.url}/${writerName}`);
      await page.getByRole('link', { name: 'Subscribe', exact: true }).click();
      await page.waitForURL(`${remote.url}/main/remote?nickname=${writerName}`);
      await assertAccessible(page, javaScript);
      await page.getByLabel('Your profile URL').fill(`${home.url}/${readerName}`);
      await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
      await page.waitForURL((url) => url.href.startsWith(`${home.url}/omb/userauthorization?`));
    });
    await step(page, 'the reader accepts at home and comes back to the remote site', async () => {
      assert.equal(await page.title(), `Subscribe to ${writerName}@${hostOf(remote)}? · Ostrakon`, 'the page names the site the writer lives on');
      await assertAccessible(page, javaScript);
      if (javaScript) await screenshot(page, `omb-authorize-${label}`);
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL(`${remote.url}/${writerName}/subscribers`);
      assert.match(await page.locator('body').innerText(), new RegExp(`${readerName}@${hostOf(home).replaceAll('.', '\\.')}`));
    });
    const posted = await writer.post('/notice/new', { content: `Seen in a real browser (${label})`, returnto: '/' });
    assert.equal(posted.status, 303);
    await step(page, 'the writer’s notice shows on the reader’s home timeline', () =>
      waitFor('the notice', async () => {
        await page.goto(`${home.url}/${readerName}/all`);
        const text = await page.locator('body').innerText();
        return text.includes(`Seen in a real browser (${label})`) && text.includes(`${writerName}@${hostOf(remote)}`);
      }),
    );
  });
}
