// The remote subscribe flow in a real browser: its forms post to one site and are redirected to
// the other (which the CSP must allow), and each site keeps its own session cookie.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromiumPath, launchBrowser } from '../helpers/browser.ts';
import type { Browser } from '../helpers/browser.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const binary = chromiumPath();

describe('remote subscription in Chromium', { skip: binary ? false : 'Chromium is not installed' }, () => {
  let a: TestServer;
  let b: TestServer;
  let bob: WebClient;
  let browser: Browser;

  before(async () => {
    [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV, hostname: 'localhost' }), startTestServer({ env: FEDERATION_ENV })]);
    bob = await registeredClient(b.url, 'bob');
    browser = await launchBrowser(binary!);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('subscribes alice on A to bob on B through both sites’ forms, and her home timeline gets his notices', async () => {
    await browser.go(`${a.url}/main/register`);
    const home = await browser.navigateBy(
      `document.querySelector('#nickname').value = 'alice';
       document.querySelector('#password').value = 'correct horse battery';
       document.querySelector('#confirm').value = 'correct horse battery';
       document.querySelector('form[action="/main/register"]').submit();`,
    );
    assert.equal(home, `${a.url}/alice/all`);

    await browser.go(`${b.url}/bob`);
    const link = await browser.evaluate<string>(`document.querySelector('.remote-subscribe a').href`);
    assert.equal(link, `${b.url}/main/remote?nickname=bob`);
    await browser.go(link);
    const authorize = await browser.navigateBy(
      `document.querySelector('#profile_url').value = '${a.url}/alice';
       document.querySelector('form[action="/main/remote"]').submit();`,
    );
    assert.ok(authorize.startsWith(`${a.url}/omb/userauthorization?`), `the browser reached A’s authorization page, not ${authorize}`);
    assert.equal(await browser.evaluate('document.title'), 'Subscribe to bob? · Ostrakon');
    const finished = await browser.navigateBy(`document.querySelector('button[value="accept"]').click();`);
    assert.equal(finished, `${b.url}/bob/subscribers`);
    assert.match(await browser.evaluate<string>('document.body.innerText'), /alice@localhost:\d+/);

    const posted = await bob.post('/notice/new', { content: 'Seen in a real browser', returnto: '/' });
    assert.equal(posted.status, 303);
    await waitFor('the notice on alice’s home timeline', async () => {
      await browser.go(`${a.url}/alice/all`);
      return (await browser.evaluate<string>('document.body.innerText')).includes('Seen in a real browser');
    });
  });
});
