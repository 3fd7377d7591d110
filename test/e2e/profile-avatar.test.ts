// Editing the profile and uploading an avatar in real Chromium, with JavaScript and without,
// with axe-core on the settings and profile pages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { stripedImage } from '../helpers/images.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { assertAccessible, launchBrowser, registerInBrowser, screenshot, step, withPage } from '../helpers/browser.ts';

// What the tests read of an <img> in the page (the DOM types are not part of this build).
type LoadedImage = { complete: boolean; naturalWidth: number };

let server: TestServer;
let browser: Browser;
let folder: string;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  folder = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-e2e-images-'));
  writeFileSync(path.join(folder, 'face.jpg'), await stripedImage('jpeg', 240, 160));
  writeFileSync(path.join(folder, 'notes.png'), 'this is text, whatever its name says');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`profile and avatar settings (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('edits the profile, sees a refusal, uploads an avatar, and sees it on the profile and beside notices', async () => {
      const nickname = `carol${mode}`;
      await withPage(browser, { javaScript }, async (page) => {
        await step(page, 'carol registers', () => registerInBrowser(page, server.url, nickname));
        await step(page, 'carol opens her profile settings from the navigation', async () => {
          await page.getByRole('link', { name: 'Settings' }).click();
          await page.waitForURL(`${server.url}/settings/profile`);
        });
        await assertAccessible(page, javaScript);

        await step(page, 'a javascript: homepage is refused and what she typed stays', async () => {
          await page.getByLabel('Full name').fill('Carol <Keeper>');
          await page.getByLabel('Bio').fill('Keeps bees & writes about them.');
          await page.getByLabel('Location').fill('Hive 7');
          // type="url" would stop the browser itself; the server must refuse it too.
          await page.getByLabel('Homepage').evaluate((input) => input.setAttribute('type', 'text')).catch(() => undefined);
          await page.getByLabel('Homepage').fill('javascript:alert(1)');
          await page.getByRole('button', { name: 'Save profile' }).click();
          await page.getByText('must be a web address starting with http').waitFor();
          assert.equal(await page.getByLabel('Full name').inputValue(), 'Carol <Keeper>');
          assert.equal(await page.getByLabel('Homepage').inputValue(), 'javascript:alert(1)');
        });
        if (javaScript) await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-profile-settings-error`);

        await step(page, 'she fixes the homepage and saves', async () => {
          await page.getByLabel('Homepage').fill('https://bees.example/');
          await page.getByRole('button', { name: 'Save profile' }).click();
          await page.getByText('Your profile has been saved.').waitFor();
        });

        await step(page, 'an upload that is not an image is refused', async () => {
          await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Avatar' }).click();
          await page.waitForURL(`${server.url}/settings/avatar`);
          await page.getByLabel('New avatar').setInputFiles(path.join(folder, 'notes.png'));
          await page.getByRole('button', { name: 'Upload avatar' }).click();
          await page.getByText('not a PNG, JPEG, GIF or WebP image').waitFor();
        });
        await assertAccessible(page, javaScript);

        await step(page, 'a JPEG is uploaded and shown', async () => {
          await page.getByLabel('New avatar').setInputFiles(path.join(folder, 'face.jpg'));
          await page.getByRole('button', { name: 'Upload avatar' }).click();
          await page.getByText('Your new avatar has been saved.').waitFor();
          const current = page.getByAltText('Your current avatar');
          await current.waitFor();
          await page.waitForLoadState('load'); // the text shows before the picture has finished loading
          assert.match((await current.getAttribute('src'))!, new RegExp(`^/${nickname}/avatar/96\\?v=[0-9a-f]{32}$`));
          const loaded = await current.evaluate((img) => (img as unknown as LoadedImage).complete && (img as unknown as LoadedImage).naturalWidth);
          assert.equal(loaded, 96, 'the browser loaded a 96 px picture');
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-avatar-settings`);

        await step(page, 'the profile shows the avatar, the escaped name and the homepage', async () => {
          await page.goto(`${server.url}/${nickname}/all`);
          await page.getByLabel(/What’s up/).fill('My first notice with a face');
          await page.getByRole('button', { name: 'Send' }).click();
          await page.waitForLoadState();
          await page.goto(`${server.url}/${nickname}`);
          await page.getByRole('heading', { level: 1, name: /Carol <Keeper>/ }).waitFor();
          const avatar = page.getByAltText(`Avatar of ${nickname}`);
          assert.equal(await avatar.evaluate((img) => (img as unknown as LoadedImage).naturalWidth), 96);
          assert.equal(await page.getByRole('link', { name: 'https://bees.example/' }).getAttribute('href'), 'https://bees.example/');
          const small = page.locator('.notice img.avatar').first();
          assert.match((await small.getAttribute('src'))!, new RegExp(`^/${nickname}/avatar/48\\?v=`));
          assert.equal(await small.evaluate((img) => (img as unknown as LoadedImage).naturalWidth), 48);
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-profile-with-avatar`);

        await step(page, 'she removes the avatar', async () => {
          await page.goto(`${server.url}/settings/avatar`);
          await page.getByRole('button', { name: 'Remove avatar' }).click();
          await page.getByText('Your avatar has been removed.').waitFor();
          assert.match((await page.getByAltText(/no avatar yet/).getAttribute('src'))!, /default-avatar-96\.png$/);
        });
        await assertAccessible(page, javaScript);
      });
    });
  });
}
