// The remote subscribe flow in real Chromium, both ways between two sites, with JavaScript and
// without: its forms post to one site and are redirected to the other (which the CSP must allow),
// and each site keeps its own session cookie (two host names, as a browser keeps cookies per host,
// not per port).
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { subscribeAcross } from '../helpers/omb-browser-flow.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

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
  describe(`remote subscription in Chromium (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('subscribes a user of A to a user of B through both sites’ forms, and B’s notices reach A', () => subscribeAcross(browser, a, b, javaScript, `ab${mode}`));
    it('subscribes a user of B to a user of A the same way, and A’s notices reach B', () => subscribeAcross(browser, b, a, javaScript, `ba${mode}`));
  });
}
