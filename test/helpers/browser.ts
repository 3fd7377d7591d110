// A headless Chromium driven over the DevTools protocol, for the few tests that need a real browser.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary on this machine, or undefined. */
export function chromiumPath(): string | undefined {
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

export type Browser = {
  /** Opens a URL and waits for the page to load. */
  go(url: string): Promise<void>;
  /** Runs an expression in the page and returns its (JSON) value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Runs an expression that submits a form or clicks, then waits for the next page. */
  navigateBy(expression: string): Promise<string>;
  close(): Promise<void>;
};

/** Starts headless Chromium with a fresh profile. */
export async function launchBrowser(binary: string): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-chromium-'));
  const child: ChildProcess = spawn(binary, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${output.slice(0, 500)}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  const port = new URL(endpoint).port;
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  let nextId = 0;
  const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, (message) => (message.error ? reject(new Error(JSON.stringify(message.error))) : resolve(message.result as Record<string, any>)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async <T,>(expression: string): Promise<T> => (await send('Runtime.evaluate', { expression, returnByValue: true })).result?.value as T;
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 100; i++) {
      if ((await evaluate('document.readyState').catch(() => 'loading')) === 'complete') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await send('Page.enable');
  return {
    async go(url) {
      await send('Page.navigate', { url });
      await settle();
    },
    evaluate,
    async navigateBy(expression) {
      await evaluate(expression);
      await settle();
      return evaluate<string>('location.href');
    },
    async close() {
      socket.close();
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
