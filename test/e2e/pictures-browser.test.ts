// Posting pictures from the home timeline's form in real Chromium, with JavaScript and without:
// a refusal keeps the text and descriptions, the thumbnails show with their descriptions, and a
// thumbnail opens the picture's page at full size; axe-core on every page.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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
  folder = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-e2e-pictures-'));
  writeFileSync(path.join(folder, 'harbour.jpg'), await stripedImage('jpeg', 900, 600));
  writeFileSync(path.join(folder, 'map.png'), await stripedImage('png', 300, 300));
  writeFileSync(path.join(folder, 'notes.png'), 'this is text, whatever its name says');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

function slot(page: Page, number: number) {
  return page.getByRole('group', { name: `Picture ${number}` });
}

async function naturalWidth(page: Page, alt: string): Promise<number> {
  const image = page.getByAltText(alt, { exact: true }).first();
  await image.waitFor();
  await image.scrollIntoViewIfNeeded(); // thumbnails load lazily, once in view
  // Waits for the image itself rather than the page's load event, which may come first on a busy machine.
  return image.evaluate(
    (element) =>
      new Promise<number>((resolve) => {
        const img = element as unknown as LoadedImage & { addEventListener(type: string, listener: () => void): void };
        if (img.complete) return resolve(img.naturalWidth);
        img.addEventListener('load', () => resolve(img.naturalWidth));
        img.addEventListener('error', () => resolve(0));
      }),
  );
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs';
  describe(`posting pictures (${javaScript ? 'with' : 'without'} JavaScript)`, () => {
    it('is refused for a file that is not a picture, then posts two described pictures and shows them', async () => {
      const nickname = `pia${mode}`;
      await withPage(browser, { javaScript }, async (page) => {
        await step(page, 'pia registers and lands on her home timeline', () => registerInBrowser(page, server.url, nickname));
        await assertAccessible(page, javaScript);

        await step(page, 'a text file named .png is refused; her words and descriptions stay', async () => {
          await page.getByText('Add pictures').click();
          await page.getByLabel(/What’s up/).fill('The harbour this morning');
          await slot(page, 1).getByLabel('Image file').setInputFiles(path.join(folder, 'notes.png'));
          await slot(page, 1).getByLabel('Description (alt text)').fill('Fishing boats in the harbour at dawn');
          await page.getByRole('button', { name: 'Send' }).click();
          await page.getByText('The picture is not a PNG, JPEG, GIF or WebP image.').waitFor();
          assert.equal(await page.getByLabel(/What’s up/).inputValue(), 'The harbour this morning');
          assert.equal(await slot(page, 1).getByLabel('Description (alt text)').inputValue(), 'Fishing boats in the harbour at dawn');
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-pictures-refused`);

        await step(page, 'she chooses two pictures and sends them', async () => {
          await slot(page, 1).getByLabel('Image file').setInputFiles(path.join(folder, 'harbour.jpg'));
          await slot(page, 2).getByLabel('Image file').setInputFiles(path.join(folder, 'map.png'));
          await slot(page, 2).getByLabel('Description (alt text)').fill('A hand-drawn map of the quay');
          await page.getByRole('button', { name: 'Send' }).click();
          await page.waitForURL(`${server.url}/${nickname}/all`);
        });

        await step(page, 'the home timeline shows both thumbnails with their descriptions', async () => {
          await page.getByText('The harbour this morning').waitFor();
          assert.equal(await naturalWidth(page, 'Fishing boats in the harbour at dawn'), 400, 'a 400 px thumbnail of the 900 px picture');
          assert.equal(await naturalWidth(page, 'A hand-drawn map of the quay'), 300, 'small pictures are not enlarged');
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-pictures-timeline`);

        await step(page, 'a thumbnail opens the picture at full size, with its description', async () => {
          await page.getByRole('link', { name: 'Fishing boats in the harbour at dawn' }).click();
          await page.waitForURL(new RegExp(`${server.url}/attachment/\\d+$`));
          await page.getByRole('heading', { level: 1, name: `Picture 1 of 2 by ${nickname}` }).waitFor();
          await page.getByText('Description: Fishing boats in the harbour at dawn').waitFor();
          assert.equal(await naturalWidth(page, 'Fishing boats in the harbour at dawn'), 900);
        });
        await assertAccessible(page, javaScript);
        await screenshot(page, `${mode}-picture-page`);

        await step(page, 'a notice of a picture alone can be posted from the home timeline', async () => {
          await page.goto(`${server.url}/${nickname}/all`);
          await page.getByText('Add pictures').click();
          await slot(page, 1).getByLabel('Image file').setInputFiles(path.join(folder, 'map.png'));
          await slot(page, 1).getByLabel('Description (alt text)').fill('The map again, alone');
          await page.getByRole('button', { name: 'Send' }).click();
          await page.waitForURL(`${server.url}/${nickname}/all`);
          assert.equal(await naturalWidth(page, 'The map again, alone'), 300);
        });
        await assertAccessible(page, javaScript);
      });
    });
  });
}
