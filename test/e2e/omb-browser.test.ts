// The remote subscribe flow in real Chromium, both ways between two sites, with JavaScript and
// without: its forms post to one site and are redirected to the other (which the CSP must allow),
// and each site keeps its own session cookie (two host names, as a browser keeps cookies per host,
// not per port).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { describeViolations, launchBrowser, newContext, screenshot, seriousViolations, step } from '../helpers/browser.ts';
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

async function accessible(page: Page, javaScript: boolean): Promise<void> {
  if (!javaScript) return; // axe-core needs script
  const violations = await seriousViolations(page);
  assert.equal(violations.length, 0, `axe-core on ${page.url()}:\n${describeViolations(violations)}`);
}

/** The host part a remote nickname is shown with (`name@host`). */
function hostOf(server: TestServer): string {
  return new URL(server.url).host;
}

/**
 * A reader registers on `home` in the browser, asks `remote` to subscribe them to a writer there,
 * accepts on `home`, and then sees the writer's next notice on their home timeline.
 */
async function subscribeAcross(home: TestServer, remote: TestServer, javaScript: boolean, label: string): Promise<void> {
  const [readerName, writerName] = [`reader${label}`, `writer${label}`];
  const writer = await registeredClient(remote.url, writerName);
  const context = await newContext(browser, { javaScript });
  const page = await context.newPage();
  try {
    await step(page, 'the reader registers on their home site', async () => {
      await page.goto(`${home.url}/main/register`);
      await page.getByLabel('Nickname').fill(readerName);
      await page.getByLabel('Password', { exact: true }).fill('browser-password');
      await page.getByLabel('Confirm password').fill('browser-password');
      await page.getByRole('button', { name: 'Register' }).click();
      await page.waitForURL(`${home.url}/${readerName}/all`);
    });
    await step(page, 'the reader asks the remote site to subscribe them', async () => {
      await page.goto(`${remote.url}/${writerName}`);
      await page.getByRole('link', { name: 'Subscribe', exact: true }).click();
      await page.waitForURL(`${remote.url}/main/remote?nickname=${writerName}`);
      await accessible(page, javaScript);
      await page.getByLabel('Your profile URL').fill(`${home.url}/${readerName}`);
      await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
      await page.waitForURL((url) => url.href.startsWith(`${home.url}/omb/userauthorization?`));
    });
    await step(page, 'the reader accepts at home and comes back to the remote site', async () => {
      assert.equal(await page.title(), `Subscribe to ${writerName}? · Ostrakon`);
      await accessible(page, javaScript);
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
  } finally {
    await context.close();
  }
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`remote subscription in Chromium (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('subscribes a user of A to a user of B through both sites’ forms, and B’s notices reach A', () => subscribeAcross(a, b, javaScript, `ab${mode}`));
    it('subscribes a user of B to a user of A the same way, and A’s notices reach B', () => subscribeAcross(b, a, javaScript, `ba${mode}`));
  });
}
