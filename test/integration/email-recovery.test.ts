// Email addresses and password recovery, with a real SMTP server in the test process: what arrives,
// and what its links do when followed over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import type { TestSmtpServer } from '../helpers/smtp.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let smtp: TestSmtpServer;
const PASSWORD = 'correct horse battery';
const db = () => server.runtime.ctx.db;
const userRow = (nickname: string) => db()('users').join('profiles', 'profiles.id', 'users.id').where('nickname', nickname).first();

before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({
    env: { SMTP_URL: smtp.url, SITE_NAME: 'Agora' },
    recoveryLimits: { perIp: 1000, perAccount: 3, windowMs: 60 * 60 * 1000 },
  });
});
after(async () => {
  await server.stop();
  await smtp.stop();
});

/** Gives a signed-in client's account an address and confirms it through the emailed link. */
async function confirmAddress(client: WebClient, address: string): Promise<void> {
  await client.get('/settings/email');
  const saved = await client.post('/settings/email', { email: address });
  assert.equal(saved.status, 303);
  const mail = await smtp.next((m) => m.envelopeTo.includes(address) && /confirm/.test(m.subject));
  const link = linkIn(mail, '/main/confirmaddress/');
  await client.get(link);
  const done = await client.post(link);
  assert.equal(done.status, 303, textOf(done.text));
}

describe('confirming an address', () => {
  it('mails a single-use link to the address given at registration; following it makes the address the confirmed one', async () => {
    const client = new WebClient(server.url);
    await client.get('/main/register');
    const registered = await client.post('/main/register', { nickname: 'alice', password: PASSWORD, email: 'alice@example.org' });
    assert.equal(registered.status, 303);
    const mail = await smtp.next((m) => m.envelopeTo.includes('alice@example.org'));
    assert.deepEqual(mail.envelopeTo, ['alice@example.org']);
    assert.equal(mail.to, 'alice@example.org');
    assert.equal(mail.subject, 'Agora: confirm your email address');
    assert.match(mail.envelopeFrom, /^noreply@127\.0\.0\.1$/);
    assert.equal(mail.parsed.html, false, 'plain text only');
    assert.equal((await userRow('alice')).email, null, 'not confirmed before the link is followed');

    // Anyone holding the link (no session needed) sees what it confirms; opening it changes nothing.
    const link = linkIn(mail, '/main/confirmaddress/');
    const stranger = new WebClient(server.url);
    const page = await stranger.get(link);
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), /Confirm alice@example\.org as the email address of your account\?/);
    assert.equal((await userRow('alice')).email, null);
    const confirmed = await stranger.post(link);
    assert.equal(confirmed.status, 200);
    assert.match(textOf(confirmed.text), /alice@example\.org is now the email address of alice/);
    const row = await userRow('alice');
    assert.equal(row.email, 'alice@example.org');
    assert.equal(row.pending_email, null);

    // Single use: a second visit or post is a clear 410.
    for (const again of [await stranger.get(link), await stranger.post(link)]) {
      assert.equal(again.status, 410);
      assert.match(textOf(again.text), /already been used, has expired/);
    }
    // The token itself is not in the database, only its hash; nor in the job queue's data.
    const token = link.split('/').pop()!;
    const tokens = await db()('email_tokens').select(db().raw("encode(token_hash, 'hex') AS h"));
    assert.ok(tokens.every((t: { h: string }) => !t.h.includes(Buffer.from(token).toString('hex'))));
    const jobs = await db().raw("SELECT count(*)::int AS n FROM pgboss.job WHERE data::text LIKE ?", [`%${token}%`]);
    assert.equal(jobs.rows[0].n, 0);
  });

  it('keeps the confirmed address in use while a new one waits for its link, shows both, and re-renders bad input as typed', async () => {
    const client = await registeredClient(server.url, 'bob');
    await confirmAddress(client, 'bob@example.org');
    const bad = await client.post('/settings/email', { email: 'bob@example.org\r\nBcc: eve@example.org' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /value="bob@example.org\r?\nBcc: eve@example.org"|value="bob@example.org&#13;/);
    assert.match(textOf(bad.text), /does not look like an e-mail address/);
    for (const list of ['bob@example.org, eve@example.org', 'Bob <bob@example.org>', 'bob@example.org;eve@example.org']) {
      assert.equal((await client.post('/settings/email', { email: list })).status, 400, list);
    }
    assert.equal((await userRow('bob')).pending_email, null, 'bad input writes nothing');

    assert.equal((await client.post('/settings/email', { email: 'robert@example.net' })).status, 303);
    const settings = await client.get('/settings/email?done=pending');
    assert.match(textOf(settings.text), /Confirmed address: bob@example\.org/);
    assert.match(textOf(settings.text), /Waiting for confirmation: robert@example\.net/);
    const row = await userRow('bob');
    assert.equal(row.email, 'bob@example.org');
    assert.equal(row.pending_email, 'robert@example.net');

    const first = await smtp.next((m) => m.envelopeTo.includes('robert@example.net'));
    // Asking again sends a new link and voids the first.
    assert.equal((await client.post('/settings/email/resend')).status, 303);
    const second = await smtp.next((m) => m.envelopeTo.includes('robert@example.net'));
    assert.equal((await client.get(linkIn(first, '/main/confirmaddress/'))).status, 410);
    const link = linkIn(second, '/main/confirmaddress/');
    await client.get(link);
    const done = await client.post(link);
    assert.equal(done.status, 303);
    assert.equal(done.location, '/settings/email?done=confirmed');
    assert.equal((await userRow('bob')).email, 'robert@example.net');
  });

  it('refuses an expired link with 410', async () => {
    const client = await registeredClient(server.url, 'carol');
    await client.post('/settings/email', { email: 'carol@example.org' });
    const mail = await smtp.next((m) => m.envelopeTo.includes('carol@example.org'));
    await db()('email_tokens').update({ expires_at: db().raw("now() - interval '1 second'") });
    const page = await client.get(linkIn(mail, '/main/confirmaddress/'));
    assert.equal(page.status, 410);
    assert.equal((await userRow('carol')).email, null);
  });

  it('answers 409 when another account has already confirmed the address, and changes nothing', async () => {
    const client = await registeredClient(server.url, 'mallory');
    await client.post('/settings/email', { email: 'ALICE@example.org' });
    const mail = await smtp.next((m) => m.envelopeTo.includes('ALICE@example.org'));
    const link = linkIn(mail, '/main/confirmaddress/');
    await client.get(link);
    const page = await client.post(link);
    assert.equal(page.status, 409);
    assert.match(textOf(page.text), /already confirmed for another account/);
    assert.equal((await userRow('mallory')).email, null);
  });

  it('limits the confirmation emails one account can have sent to 10 an hour (429 with Retry-After)', async () => {
    const client = await registeredClient(server.url, 'spammer');
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 11; i++) {
      last = i % 2 === 0 ? await client.post('/settings/email', { email: `victim${i}@example.org` }) : await client.post('/settings/email/resend');
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(303), 429]);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.equal((await userRow('spammer')).pending_email, 'victim8@example.org', 'the refused change wrote nothing');
  });
});

describe('password recovery', () => {
  it('is linked from the login page', async () => {
    const page = await new WebClient(server.url).get('/main/login');
    assert.match(page.text, /<a href="\/main\/recoverpassword">Forgot your password\?<\/a>/);
  });

  it('gives the same answer for a known nickname, a known address, an unknown one, and an account without a confirmed address; mails only the first two', async () => {
    const dave = await registeredClient(server.url, 'dave');
    await confirmAddress(dave, 'dave@example.org');
    await registeredClient(server.url, 'erin'); // no address
    const answers: string[] = [];
    for (const login of ['dave', 'nobody', 'DAVE@example.org', 'nobody@example.org', 'erin']) {
      const client = new WebClient(server.url);
      const form = await client.get('/main/recoverpassword');
      assert.equal(form.status, 200);
      const page = await client.post('/main/recoverpassword', { login });
      assert.equal(page.status, 200, login);
      answers.push(textOf(page.text).replace(login, '<login>'));
    }
    assert.equal(new Set(answers).size, 1, 'one answer for all');
    assert.match(answers[0]!, /If that nickname or address belongs to an account here with a confirmed email address, we have sent a link/);
    const first = await smtp.next((m) => m.envelopeTo.includes('dave@example.org') && /new password/.test(m.subject));
    const second = await smtp.next((m) => m.envelopeTo.includes('dave@example.org') && /new password/.test(m.subject));
    assert.equal(first.subject, 'Agora: set a new password');
    assert.notEqual(linkIn(first, '/main/recoverpassword/'), linkIn(second, '/main/recoverpassword/'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(smtp.received.filter((m) => /new password/.test(m.subject)).map((m) => m.envelopeTo[0]), ['dave@example.org', 'dave@example.org']);
  });

  it('sets a new password through the link (registration rules), ends every session, and the link then answers 410', async () => {
    const frank = await registeredClient(server.url, 'frank');
    await confirmAddress(frank, 'frank@example.org');
    const elsewhere = new WebClient(server.url);
    await elsewhere.get('/main/login');
    assert.equal((await elsewhere.post('/main/login', { nickname: 'frank', password: PASSWORD })).status, 303);
    assert.equal((await frank.get('/settings/password')).status, 200);

    await new WebClient(server.url).post('/main/recoverpassword', { login: 'frank' });
    const mail = await smtp.next((m) => m.envelopeTo.includes('frank@example.org') && /new password/.test(m.subject));
    assert.match(mail.text, /works once, for one hour/);
    const link = linkIn(mail, '/main/recoverpassword/');
    const visitor = new WebClient(server.url);
    const form = await visitor.get(link);
    assert.equal(form.status, 200);
    assert.match(form.text, /<label for="password">New password<\/label>/);

    const short = await visitor.post(link, { password: 'short', confirm: 'short' });
    assert.equal(short.status, 400);
    assert.match(textOf(short.text), /at least 8/);
    const mismatch = await visitor.post(link, { password: 'a new password', confirm: 'another one' });
    assert.equal(mismatch.status, 400);
    assert.match(textOf(mismatch.text), /do not match/);
    const before = (await userRow('frank')).password_hash;
    assert.equal((await userRow('frank')).password_hash, before, 'bad input changed nothing');

    const done = await visitor.post(link, { password: 'a new password', confirm: 'a new password' });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/main/login?recovered=1');
    assert.match(textOf((await visitor.get(done.location!)).text), /Your new password is set/);

    // Every session of frank's has ended.
    for (const client of [frank, elsewhere]) {
      const page = await client.get('/settings/password');
      assert.equal(page.status, 303);
      assert.match(page.location ?? '', /^\/main\/login/);
    }
    const sessions = await db()('sessions').whereRaw("(sess->>'userId') = ?", [String((await userRow('frank')).id)]);
    assert.equal(sessions.length, 0);
    const login = new WebClient(server.url);
    await login.get('/main/login');
    assert.equal((await login.post('/main/login', { nickname: 'frank', password: PASSWORD })).status, 401);
    assert.equal((await login.post('/main/login', { nickname: 'frank', password: 'a new password' })).status, 303);

    // Single use.
    for (const again of [await visitor.get(link), await visitor.post(link, { password: 'yet another one', confirm: 'yet another one' })]) {
      assert.equal(again.status, 410);
      assert.match(textOf(again.text), /already been used or has expired/);
    }
  });

  it('refuses an expired link, and a made-up one, with 410 and changes nothing', async () => {
    await new WebClient(server.url).post('/main/recoverpassword', { login: 'dave' });
    const mail = await smtp.next((m) => m.envelopeTo.includes('dave@example.org') && /new password/.test(m.subject));
    await db()('email_tokens').where({ purpose: 'recover' }).update({ expires_at: db().raw("now() - interval '1 second'") });
    const hash = (await userRow('dave')).password_hash;
    const visitor = new WebClient(server.url);
    const link = linkIn(mail, '/main/recoverpassword/');
    assert.equal((await visitor.get(link)).status, 410);
    assert.equal((await visitor.post(link, { password: 'a new password', confirm: 'a new password' })).status, 410);
    assert.equal((await visitor.get('/main/recoverpassword/not-a-token')).status, 410);
    assert.equal((await visitor.get(`/main/recoverpassword/${'A'.repeat(43)}`)).status, 410);
    assert.equal((await userRow('dave')).password_hash, hash);
  });

  it('throttles requests per account (by nickname and address alike) and per unknown login, with 429 and Retry-After', async () => {
    const grace = await registeredClient(server.url, 'grace');
    await confirmAddress(grace, 'grace@example.org');
    const statuses: number[] = [];
    let last;
    for (const login of ['grace', 'grace@example.org', 'GRACE', 'grace@example.org']) {
      last = await new WebClient(server.url).post('/main/recoverpassword', { login });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.match(textOf(last!.text), /Too many password-recovery requests/);
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) unknown.push((await new WebClient(server.url).post('/main/recoverpassword', { login: 'ghost@example.org' })).status);
    assert.deepEqual(unknown, [200, 200, 200, 429]);
    assert.equal((await new WebClient(server.url).post('/main/recoverpassword', { login: 'frank' })).status, 200, 'other accounts are not held up');
  });

  it('refuses an empty form with 400 and a repeated field with 400', async () => {
    const client = new WebClient(server.url);
    const empty = await client.post('/main/recoverpassword', { login: '  ' });
    assert.equal(empty.status, 400);
    assert.match(textOf(empty.text), /Give your nickname or your email address/);
    assert.equal((await client.post('/main/recoverpassword', { login: ['a', 'b'] })).status, 400);
  });
});
