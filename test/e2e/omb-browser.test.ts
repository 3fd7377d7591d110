// The remote subscribe flow in real Chromium, with JavaScript and without: its forms post to one
// site and are redirected to the other (which the CSP must allow), and each site keeps its own
// session cookie (two host names, as a browser keeps cookies per host, not per port).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { describeViolations, launchBrowser, newContext, seriousViolations, step } from '../helpers/browser.ts';
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

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`remote subscription in Chromium (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('subscribes a user of A to a user of B through both sites’ forms, and B’s notices reach A', async () => {
      const [aliceName, bobName] = [`alice${mode}`, `bob${mode}`];
      const bob = await registeredClient(b.url, bobName);
      const context = await newContext(browser, { javaScript });
      const page = await context.newPage();
      try {
        await step(page, 'alice registers on A', async () => {
          await page.goto(`${a.url}/main/register`);
          await page.getByLabel('Nickname').fill(aliceName);
          await page.getByLabel('Password', { exact: true }).fill('browser-password');
          await page.getByLabel('Confirm password').fill('browser-password');
          await page.getByRole('button', { name: 'Register' }).click();
          await page.waitForURL(`${a.url}/${aliceName}/all`);
        });
        await step(page, 'alice asks B to subscribe her', async () => {
          await page.goto(`${b.url}/${bobName}`);
          await page.getByRole('link', { name: 'Subscribe', exact: true }).click();
          await page.waitForURL(`${b.url}/main/remote?nickname=${bobName}`);
          await accessible(page, javaScript);
          await page.getByLabel('Your profile URL').fill(`${a.url}/${aliceName}`);
          await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
          await page.waitForURL((url) => url.href.startsWith(`${a.url}/omb/userauthorization?`));
        });
        await step(page, 'alice accepts on A and comes back to B', async () => {
          assert.equal(await page.title(), `Subscribe to ${bobName}? · Ostrakon`);
          await accessible(page, javaScript);
          await page.getByRole('button', { name: 'Accept' }).click();
          await page.waitForURL(`${b.url}/${bobName}/subscribers`);
          assert.match(await page.locator('body').innerText(), new RegExp(`${aliceName}@localhost:\\d+`));
        });
        const posted = await bob.post('/notice/new', { content: `Seen in a real browser (${mode})`, returnto: '/' });
        assert.equal(posted.status, 303);
        await step(page, 'bob’s notice shows on alice’s home timeline', () =>
          waitFor('the notice', async () => {
            await page.goto(`${a.url}/${aliceName}/all`);
            return (await page.locator('body').innerText()).includes(`Seen in a real browser (${mode})`);
          }),
        );
      } finally {
        await context.close();
      }
    });
  });
}
