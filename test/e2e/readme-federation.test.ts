// Two servers started the way the README's federation section says (the project's Node on
// src/server.ts, each with the embedded database in its own DATA_DIR, one on localhost and one on
// 127.0.0.1, ALLOW_PRIVATE_ADDRESSES=true), federating both ways through the browser flow.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { subscribeAcross } from '../helpers/omb-browser-flow.ts';
import type { Site } from '../helpers/omb-browser-flow.ts';
import { freePort, startServerProcess } from '../helpers/process.ts';
import type { ServerProcess } from '../helpers/process.ts';

const processes: ServerProcess[] = [];
const dataDirs: string[] = [];
let a: Site;
let b: Site;
let browser: Browser;

// PORT=… PUBLIC_URL=http://<host>:… DATA_DIR=… ALLOW_PRIVATE_ADDRESSES=true npm start
async function startAsTheReadmeSays(host: 'localhost' | '127.0.0.1'): Promise<Site> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-readme-'));
  dataDirs.push(dataDir);
  const publicUrl = `http://${host}:${port}`;
  processes.push(await startServerProcess({ PUBLIC_URL: publicUrl, DATA_DIR: dataDir, ALLOW_PRIVATE_ADDRESSES: 'true' }, { port }));
  return { url: publicUrl };
}

before(async () => {
  [a, b] = await Promise.all([startAsTheReadmeSays('localhost'), startAsTheReadmeSays('127.0.0.1')]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await Promise.all(processes.map((proc) => proc.stop(10_000)));
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
});

describe('two servers started with the README’s commands, on the embedded database', () => {
  it('federate through the browser from A to B', () => subscribeAcross(browser, a, b, false, 'readmeab'));
  it('and from B to A', () => subscribeAcross(browser, b, a, true, 'readmeba'));
});
