// Every Set-Cookie the site sends carries the same flags, the ones that clear a cookie included:
// HttpOnly, SameSite=Lax, Path=/, and Secure when the site is served over https.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

let plain: TestServer;
let secure: TestServer;

before(async () => {
  [plain, secure] = await Promise.all([
    startTestServer(),
    // Behind a TLS proxy on loopback: https in PUBLIC_URL, the proxy's X-Forwarded-Proto trusted.
    startTestServer({ env: { PUBLIC_URL: 'https://ostrakon.test', TRUST_PROXY: 'loopback' } }),
  ]);
});
after(() => Promise.all([plain?.stop(), secure?.stop()]));

// A browser session driven by hand, collecting every Set-Cookie line.
function session(server: TestServer, headers: Record<string, string> = {}) {
  let cookie = '';
  let token = '';
  const seen: string[] = [];
  const send = async (method: string, path: string, form?: Record<string, string>) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...headers, ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams({ _csrf: token, ...form }) : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      seen.push(line);
      const pair = line.split(';')[0]!;
      cookie = /Expires=Thu, 01 Jan 1970/i.test(line) ? '' : pair;
    }
    const text = await response.text();
    token = /name="_csrf" value="([^"]*)"/.exec(text)?.[1] ?? token;
    return response;
  };
  return { send, seen };
}

async function registerLogInAndOut(server: TestServer, headers: Record<string, string>, nickname: string): Promise<string[]> {
  const browser = session(server, headers);
  await browser.send('GET', '/main/register');
  assert.equal((await browser.send('POST', '/main/register', { nickname, password: 'correct horse battery', email: '' })).status, 303);
  await browser.send('GET', `/${nickname}/all`);
  assert.equal((await browser.send('POST', '/main/logout', {})).status, 303);
  await browser.send('GET', '/main/login');
  assert.equal((await browser.send('POST', '/main/login', { nickname, password: 'wrong password!' })).status, 401);
  assert.equal((await browser.send('POST', '/main/login', { nickname, password: 'correct horse battery' })).status, 303);
  await browser.send('GET', `/${nickname}/all`); // the new session's form token
  assert.equal((await browser.send('POST', '/main/logout', {})).status, 303);
  return browser.seen;
}

// "HttpOnly", "SameSite=Lax", "Path=/", "Secure", ... lowercased, values kept for SameSite and Path only.
function flagsOf(line: string): Set<string> {
  const parts = line.split(';').slice(1).map((part) => part.trim().toLowerCase());
  return new Set(parts.map((part) => (/^(samesite|path)=/.test(part) ? part : part.replace(/=.*$/, ''))));
}

describe('cookie flags', () => {
  it('over http: every Set-Cookie, the clearing one at logout included, is HttpOnly, SameSite=Lax, Path=/', async () => {
    const lines = await registerLogInAndOut(plain, {}, 'alice');
    const clearing = lines.filter((line) => /Expires=Thu, 01 Jan 1970/i.test(line));
    assert.ok(lines.length >= 4 && clearing.length === 2, lines.join('\n'));
    for (const line of lines) {
      const flags = flagsOf(line);
      assert.ok(line.startsWith('ostrakon.sid='), line);
      for (const flag of ['httponly', 'samesite=lax', 'path=/']) assert.ok(flags.has(flag), `${flag} missing in ${line}`);
      assert.ok(!flags.has('secure'), line);
    }
  });

  it('behind https: every Set-Cookie is also Secure', async () => {
    const lines = await registerLogInAndOut(secure, { 'x-forwarded-proto': 'https', host: 'ostrakon.test' }, 'bob');
    assert.ok(lines.some((line) => /Expires=Thu, 01 Jan 1970/i.test(line)), lines.join('\n'));
    for (const line of lines) {
      const flags = flagsOf(line);
      for (const flag of ['httponly', 'samesite=lax', 'path=/', 'secure']) assert.ok(flags.has(flag), `${flag} missing in ${line}`);
    }
  });
});
