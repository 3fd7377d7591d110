// The main flows, clicked through in real Chromium, with JavaScript and without, with axe-core on
// every page they visit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';
import type { TestServer } from '../helpers/server.ts';
import { describeViolations, launchBrowser, newContext, screenshot, seriousViolations, step, withPage } from '../helpers/browser.ts';

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

// Pages visited with JavaScript on are checked with axe-core (it needs script to run).
async function checkAccessibility(page: Page, javaScript: boolean, checked: Set<string>): Promise<void> {
  if (!javaScript) return;
  const key = new URL(page.url()).pathname.replace(/\d+/g, 'N');
  if (checked.has(key)) return;
  checked.add(key);
  const violations = await seriousViolations(page);
  assert.equal(violations.length, 0, `axe-core on ${page.url()}:\n${describeViolations(violations)}`);
}

async function register(page: Page, nickname: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByRole('link', { name: 'Register' }).click();
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Password', { exact: true }).fill('browser-password');
  await page.getByLabel('Confirm password').fill('browser-password');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.waitForURL(`${server.url}/${nickname}/all`);
}

async function post(page: Page, text: string): Promise<void> {
  await page.getByLabel(/What’s up/).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForLoadState();
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`core flows (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('register, post with a link, a mention and a tag, reply, subscribe, delete, log out', async () => {
      const checked = new Set<string>();
      const bobContext = await newContext(browser, { javaScript });
      const aliceContext = await newContext(browser, { javaScript });
      const bob = await bobContext.newPage();
      const alice = await aliceContext.newPage();
      const [aliceName, bobName] = [`alice${mode}`, `bob${mode}`];
      try {
        await step(bob, 'bob registers', () => register(bob, bobName));
        await checkAccessibility(bob, javaScript, checked);
        await step(bob, 'bob posts', () => post(bob, `Hello from ${bobName}`));
        await bob.getByText(`Hello from ${bobName}`).first().waitFor(); // waits for the redirect after posting, which isVisible() did not

        await step(alice, 'the register form refuses a bad nickname', async () => {
          await alice.goto(`${server.url}/main/register`);
          await alice.getByLabel('Nickname').fill('Not Valid!');
          await alice.getByLabel('Password', { exact: true }).fill('browser-password');
          await alice.getByRole('button', { name: 'Register' }).click();
          await alice.getByText('lower-case letters').first().waitFor();
          assert.equal(await alice.getByLabel('Nickname').inputValue(), 'Not Valid!');
        });
        await checkAccessibility(alice, javaScript, checked);
        await step(alice, 'alice registers', () => register(alice, aliceName));
        await screenshot(alice, `${mode}-home-empty`);

        const link = `${server.url}/${bobName}`;
        await step(alice, 'alice posts with a link, a mention and a tag', async () => {
          await post(alice, `Hi @${bobName}, read ${link} #Browsers`);
          await alice.goto(`${server.url}/`);
        });
        await checkAccessibility(alice, javaScript, checked);
        await screenshot(alice, `${mode}-public`);
        const notice = alice.locator('li.notice').filter({ hasText: '#Browsers' }).first();
        await step(alice, 'the mention links to bob', async () => {
          await notice.getByRole('link', { name: bobName, exact: true }).click();
          await alice.waitForURL(`${server.url}/${bobName}`);
        });
        await checkAccessibility(alice, javaScript, checked);
        await step(alice, 'the URL is a link', async () => {
          await alice.goBack();
          const anchor = alice.locator('li.notice').filter({ hasText: '#Browsers' }).first().getByRole('link', { name: link });
          assert.equal(await anchor.getAttribute('rel'), 'nofollow noopener');
          await anchor.click();
          await alice.waitForURL(link);
        });
        await step(alice, 'the tag links to the tag page', async () => {
          await alice.goto(`${server.url}/`);
          await alice.locator('li.notice').filter({ hasText: '#Browsers' }).first().getByRole('link', { name: 'Browsers' }).click();
          await alice.waitForURL(`${server.url}/tag/browsers`);
          await alice.getByRole('heading', { name: 'Notices tagged #browsers' }).waitFor();
        });
        await checkAccessibility(alice, javaScript, checked);

        await step(bob, 'bob sees the mention under Replies', async () => {
          await bob.getByRole('link', { name: 'Replies', exact: true }).first().click();
          await bob.getByText(`Hi @${bobName}`).first().waitFor();
        });
        await checkAccessibility(bob, javaScript, checked);
        await step(bob, 'bob replies and reads the conversation', async () => {
          await bob.locator('li.notice').first().getByRole('link', { name: /^Reply/ }).click();
          assert.equal(await bob.getByLabel(/What’s up/).inputValue(), `@${aliceName} `);
          await checkAccessibility(bob, javaScript, checked);
          await bob.getByLabel(/What’s up/).fill(`@${aliceName} thanks!`);
          await bob.getByRole('button', { name: 'Send' }).click();
          await bob.waitForURL(/\/conversation\/\d+$/);
          assert.equal(await bob.locator('li.notice').count(), 2);
          assert.match(await bob.locator('li.notice').nth(1).innerText(), /thanks!/);
        });
        await checkAccessibility(bob, javaScript, checked);
        await screenshot(bob, `${mode}-conversation`);

        await step(alice, 'alice subscribes to bob and sees his notices at home', async () => {
          await alice.goto(`${server.url}/${bobName}`);
          await alice.getByRole('button', { name: /^Subscribe/ }).click();
          await alice.getByRole('button', { name: /^Unsubscribe/ }).waitFor();
          await alice.getByRole('link', { name: 'Home', exact: true }).click();
          await alice.getByText(`Hello from ${bobName}`).first().waitFor();
        });
        await checkAccessibility(alice, javaScript, checked);
        await screenshot(alice, `${mode}-home`);

        await step(alice, 'alice deletes her notice after confirming', async () => {
          await alice.goto(`${server.url}/${aliceName}`);
          await alice.locator('li.notice').filter({ hasText: '#Browsers' }).getByRole('link', { name: /^Delete/ }).click();
          await alice.getByRole('heading', { name: 'Delete this notice?' }).waitFor();
          await checkAccessibility(alice, javaScript, checked);
          await alice.getByRole('button', { name: 'Yes, delete it' }).click();
          await alice.waitForURL(`${server.url}/${aliceName}`);
          assert.equal(await alice.locator('li.notice').filter({ hasText: '#Browsers' }).count(), 0);
        });

        await step(alice, 'alice logs out and back in', async () => {
          await alice.getByRole('button', { name: 'Log out' }).click();
          await alice.getByRole('link', { name: 'Log in' }).click();
          await checkAccessibility(alice, javaScript, checked);
          await alice.getByLabel('Nickname').fill(aliceName);
          await alice.getByLabel('Password').fill('wrong-password');
          await alice.getByRole('button', { name: 'Log in' }).click();
          await alice.getByText('Incorrect nickname or password.').waitFor();
          await alice.getByLabel('Password').fill('browser-password');
          await alice.getByRole('button', { name: 'Log in' }).click();
          await alice.waitForURL(`${server.url}/${aliceName}/all`);
        });
        await step(alice, 'alice changes her password', async () => {
          await alice.getByRole('link', { name: 'Settings' }).click();
          await alice.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Password' }).click();
          await alice.waitForURL(`${server.url}/settings/password`);
          await checkAccessibility(alice, javaScript, checked);
          await alice.getByLabel('Current password').fill('browser-password');
          await alice.getByLabel('New password', { exact: true }).fill('browser-password-2');
          await alice.getByLabel('Confirm new password').fill('browser-password-2');
          await alice.getByRole('button', { name: 'Change password' }).click();
          await alice.getByText('Your password has been changed.').waitFor();
        });
        await step(alice, 'a missing page shows a 404 page', async () => {
          const response = await alice.goto(`${server.url}/nobody-here/x/y`);
          assert.equal(response?.status(), 404);
          await alice.getByRole('heading', { name: 'Not found' }).waitFor();
        });
        await checkAccessibility(alice, javaScript, checked);
      } finally {
        await aliceContext.close();
        await bobContext.close();
      }
    });
  });
}

describe('the accessibility check itself', () => {
  it('reports a serious violation when there is one', async () => {
    await withPage(browser, { javaScript: true }, async (page) => {
      await page.setContent('<!DOCTYPE html><html><body><main><img src="/x.png"><input type="text"></main></body></html>');
      const ids = (await seriousViolations(page)).map((v) => v.id);
      assert.ok(ids.includes('image-alt'), ids.join(', '));
    });
  });
});

describe('small screens', () => {
  it('lays out the main pages without horizontal scrolling at 360 px', async () => {
    // Pages with content of their own: a long unbroken link and a tag are what overflow first.
    const narrow = await registeredClient(server.url, 'narrowwriter');
    const posted = await narrow.post('/notice/new', {
      content: 'Reading https://example.com/a/very/long/path/that/does/not/break/anywhere/at/all on a phone #narrowscreens',
      returnto: '/',
    });
    assert.equal(posted.status, 303);
    await withPage(browser, { javaScript: true, width: 360 }, async (page) => {
      for (const path of ['/', '/main/register', '/main/login', '/narrowwriter', '/narrowwriter/all', '/tag/narrowscreens', '/tags', '/search/notice?q=phone', '/search/people?q=narrow']) {
        const response = await page.goto(`${server.url}${path}`);
        assert.equal(response?.status(), 200, path);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.ok(Number(overflow) <= 0, `${path} is ${String(overflow)} px too wide at 360 px`);
        await screenshot(page, `narrow${path.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '') || '-public'}`);
      }
    });
  });
});

describe('keyboard use', () => {
  it('skips to the content first, and every control it reaches shows where the focus is', async () => {
    await withPage(browser, { javaScript: true }, async (page) => {
      await page.goto(`${server.url}/main/login`);
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      assert.equal(await page.evaluate('document.activeElement.className'), 'skip-link', 'the first Tab reaches the skip link');
      const box = await skip.boundingBox();
      assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, 'the focused skip link is on screen');
      await skip.press('Enter');
      assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'content');
      // Tab through the page: each focused link, button and field draws a visible outline.
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        const focused = (await page.evaluate(`(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          return { tag: el.tagName, name: el.getAttribute('name') || el.textContent.trim().slice(0, 30), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
        })()`)) as { tag: string; name: string; outline: string; width: number } | null;
        if (!focused) continue;
        seen.add(focused.tag);
        assert.notEqual(focused.outline, 'none', `${focused.tag} ${focused.name} has no focus outline`);
        assert.ok(focused.width >= 2, `${focused.tag} ${focused.name} has a thin focus outline (${focused.width} px)`);
      }
      for (const tag of ['A', 'INPUT', 'BUTTON']) assert.ok(seen.has(tag), `Tab reached no ${tag}: ${[...seen].join(', ')}`);
    });
  });
});
