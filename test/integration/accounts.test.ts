import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
const userCount = async () => Number((await server.runtime.ctx.db('users').count({ n: '*' }))[0]!.n);

before(async () => {
  server = await startTestServer({ loginLimits: { perIp: 1000, perAccount: 5, windowMs: 60_000 } });
});
after(() => server.stop());

describe('registration', () => {
  it('creates the account, signs the person in and shows their home timeline', async () => {
    const client = new WebClient(server.url);
    const form = await client.get('/main/register');
    assert.equal(form.status, 200);
    assert.match(form.text, /<label for="nickname">Nickname<\/label>/);
    const page = await client.post('/main/register', { nickname: 'alice', password: 'secret-password', confirm: 'secret-password', email: 'alice@example.org' });
    assert.equal(page.status, 303);
    assert.equal(page.location, '/alice/all');
    const home = await client.get('/alice/all');
    assert.equal(home.status, 200);
    assert.match(home.text, /What’s up, alice\?/);
    const row = await server.runtime.ctx.db('users').join('profiles', 'profiles.id', 'users.id').where('nickname', 'alice').first();
    assert.equal(row.email, null); // confirmed only once the link sent to it is followed (test/integration/email.test.ts)
    assert.equal(row.pending_email, 'alice@example.org');
    assert.match(row.password_hash, /^\$2b\$/);
    assert.notEqual(row.password_hash, 'secret-password');
  });

  it('lowercases the nickname a person types', async () => {
    const client = new WebClient(server.url);
    const page = await client.post('/main/register', { nickname: ' Bob ', password: 'secret-password' });
    assert.equal(page.status, 303);
    assert.equal(page.location, '/bob/all');
  });

  const badInputs: [string, Record<string, string>, number, RegExp][] = [
    ['an invalid nickname', { nickname: 'al ice', password: 'secret-password' }, 400, /lower-case letters/],
    ['a nickname with symbols', { nickname: 'al-ice', password: 'secret-password' }, 400, /lower-case letters/],
    ['an empty nickname', { nickname: '', password: 'secret-password' }, 400, /Choose a nickname/],
    ['a 65-character nickname', { nickname: 'a'.repeat(65), password: 'secret-password' }, 400, /1 to 64/],
    ['a reserved nickname', { nickname: 'settings', password: 'secret-password' }, 400, /reserved/],
    ['a taken nickname', { nickname: 'alice', password: 'secret-password' }, 409, /already in use/],
    ['a short password', { nickname: 'carol', password: 'short' }, 400, /at least 8/],
    ['a password over 72 bytes', { nickname: 'carol', password: 'é'.repeat(37) }, 400, /at most 72 bytes/],
    ['a NUL in the password', { nickname: 'carol', password: 'secret\u0000password' }, 400, /NUL/],
    ['mismatched passwords', { nickname: 'carol', password: 'secret-password', confirm: 'other-password' }, 400, /do not match/],
    ['a bad e-mail address', { nickname: 'carol', password: 'secret-password', email: 'not an email' }, 400, /e-mail/],
    ['a NUL in the nickname', { nickname: 'car\u0000ol', password: 'secret-password' }, 400, /lower-case letters/],
  ];
  for (const [what, fields, status, message] of badInputs) {
    it(`refuses ${what} with ${status}, keeps what was typed and writes nothing`, async () => {
      const before = await userCount();
      const client = new WebClient(server.url);
      const page = await client.post('/main/register', fields);
      assert.equal(page.status, status, textOf(page.text));
      assert.match(textOf(page.text), message);
      if (fields.nickname && !fields.nickname.includes('\u0000')) {
        assert.match(page.text, new RegExp(`name="nickname" value="${fields.nickname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
      }
      assert.doesNotMatch(page.text, /secret-password/, 'the password is never echoed');
      assert.equal(await userCount(), before);
      assert.equal(client.sessionId !== undefined && page.location !== null, false);
    });
  }

  it('refuses a form posted without a CSRF token, and writes nothing', async () => {
    const before = await userCount();
    const client = new WebClient(server.url);
    const page = await client.post('/main/register', { _csrf: null, nickname: 'mallory', password: 'secret-password' });
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /form has expired/);
    const forged = await client.post('/main/register', { _csrf: 'forged-token', nickname: 'mallory', password: 'secret-password' });
    assert.equal(forged.status, 403);
    assert.equal(await userCount(), before);
  });

  it('refuses a field sent twice with 400', async () => {
    const client = new WebClient(server.url);
    const page = await client.post('/main/register', { nickname: ['dave', 'eve'], password: 'secret-password' });
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /more than once/);
  });
});

describe('signing in and out', () => {
  it('gives a new session id at login and signs in', async () => {
    await registeredClient(server.url, 'frank', 'frank-password');
    const client = new WebClient(server.url);
    await client.get('/main/login');
    const sessionBefore = client.sessionId;
    assert.ok(sessionBefore, 'the login form starts a session for its CSRF token');
    const page = await client.post('/main/login', { nickname: 'frank', password: 'frank-password' });
    assert.equal(page.status, 303);
    assert.equal(page.location, '/frank/all');
    assert.ok(client.sessionId);
    assert.notEqual(client.sessionId, sessionBefore);
    const cookie = page.headers.getSetCookie().join('\n');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    const home = await client.get('/frank/all');
    assert.match(home.text, /Log out/);
  });

  it('returns to the page asked for before signing in', async () => {
    const client = new WebClient(server.url);
    const redirect = await client.get('/settings/password');
    assert.equal(redirect.status, 303);
    assert.equal(redirect.location, '/main/login?returnto=%2Fsettings%2Fpassword');
    const form = await client.get(redirect.location);
    assert.match(form.text, /name="returnto" value="\/settings\/password"/);
    const page = await client.post('/main/login', { nickname: 'frank', password: 'frank-password', returnto: '/settings/password' });
    assert.equal(page.location, '/settings/password');
    const offsite = await new WebClient(server.url).post('/main/login', { nickname: 'frank', password: 'frank-password', returnto: '//evil.example/' });
    assert.equal(offsite.location, '/frank/all');
  });

  it('answers an unknown nickname exactly as a wrong password', async () => {
    const wrong = await new WebClient(server.url).post('/main/login', { nickname: 'frank', password: 'not-the-password' });
    const unknown = await new WebClient(server.url).post('/main/login', { nickname: 'nobody', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const message = (html: string) => /<p class="error"[^>]*>([^<]*)<\/p>/.exec(html)?.[1];
    assert.equal(message(wrong.text), 'Incorrect nickname or password.');
    assert.equal(message(unknown.text), message(wrong.text));
  });

  it('throttles failed logins per account with 429 and Retry-After', async () => {
    await registeredClient(server.url, 'grace', 'grace-password');
    for (let i = 0; i < 5; i++) {
      const page = await new WebClient(server.url).post('/main/login', { nickname: 'grace', password: `wrong-${i}-password` });
      assert.equal(page.status, 401);
    }
    const blocked = await new WebClient(server.url).post('/main/login', { nickname: 'grace', password: 'grace-password' });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.match(textOf(blocked.text), /Too many sign-in attempts/);
    // Another account from the same address is not affected.
    const other = await new WebClient(server.url).post('/main/login', { nickname: 'frank', password: 'frank-password' });
    assert.equal(other.status, 303);
  });

  it('logs out with a POST that carries the CSRF token', async () => {
    const client = await registeredClient(server.url, 'heidi', 'heidi-password');
    const refused = await client.post('/main/logout', { _csrf: null });
    assert.equal(refused.status, 403);
    const page = await client.post('/main/logout');
    assert.equal(page.status, 303);
    const after = await client.get('/');
    assert.doesNotMatch(after.text, /Log out/);
    assert.match(after.text, /Log in/);
  });
});

describe('changing the password', () => {
  it('checks the current password and the confirmation, then changes it', async () => {
    const client = await registeredClient(server.url, 'ivan', 'ivan-password');
    await client.get('/settings/password');
    const wrongCurrent = await client.post('/settings/password', { current: 'nope-nope-nope', password: 'new-password-1', confirm: 'new-password-1' });
    assert.equal(wrongCurrent.status, 400);
    assert.match(textOf(wrongCurrent.text), /current password is not correct/);
    const mismatch = await client.post('/settings/password', { current: 'ivan-password', password: 'new-password-1', confirm: 'new-password-2' });
    assert.equal(mismatch.status, 400);
    assert.match(textOf(mismatch.text), /do not match/);
    const elsewhere = new WebClient(server.url);
    assert.equal((await elsewhere.post('/main/login', { nickname: 'ivan', password: 'ivan-password' })).status, 303);
    assert.equal((await elsewhere.get('/settings/password')).status, 200);
    const ok = await client.post('/settings/password', { current: 'ivan-password', password: 'new-password-1', confirm: 'new-password-1' });
    assert.equal(ok.status, 200);
    assert.match(textOf(ok.text), /password has been changed\. Your other session has been signed out\./);
    // The session that changed it stays signed in; the other one is signed out.
    assert.equal((await client.get('/settings/password')).status, 200);
    const signedOut = await elsewhere.get('/settings/password');
    assert.equal(signedOut.status, 303);
    assert.match(signedOut.location ?? '', /^\/main\/login/);
    const oldLogin = await new WebClient(server.url).post('/main/login', { nickname: 'ivan', password: 'ivan-password' });
    assert.equal(oldLogin.status, 401);
    const newLogin = await new WebClient(server.url).post('/main/login', { nickname: 'ivan', password: 'new-password-1' });
    assert.equal(newLogin.status, 303);
  });

  it('is refused to visitors', async () => {
    const page = await new WebClient(server.url).post('/settings/password', { current: 'x', password: 'new-password-1', confirm: 'new-password-1' });
    assert.equal(page.status, 403);
  });

  it('counts wrong current passwords as failed sign-ins of the account: a stolen session cannot guess it faster (429)', async () => {
    const client = await registeredClient(server.url, 'kate', 'kate-password');
    await client.get('/settings/password');
    for (let i = 0; i < 5; i++) {
      const page = await client.post('/settings/password', { current: `guess-${i}-password`, password: 'new-password-1', confirm: 'new-password-1' });
      assert.equal(page.status, 400, `guess ${i + 1}`);
    }
    const blocked = await client.post('/settings/password', { current: 'kate-password', password: 'new-password-1', confirm: 'new-password-1' });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    const signIn = await new WebClient(server.url).post('/main/login', { nickname: 'kate', password: 'kate-password' });
    assert.equal(signIn.status, 429, 'the same count as the sign-in form');
  });
});
