// Email notifications (a new subscriber, local or on another server; a mention or a reply), each
// switchable in settings, checked at a real SMTP server in the test process; and the log fallback.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import { FEDERATION_ENV, remoteSubscribe } from '../helpers/omb.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import type { TestSmtpServer } from '../helpers/smtp.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let smtp: TestSmtpServer;
let alice: WebClient;

// Long enough for a queued job to have been sent, were it queued.
const settle = () => new Promise((resolve) => setTimeout(resolve, 2500));

before(async () => {
  smtp = await startSmtpServer();
  [a, b] = await Promise.all([startTestServer({ env: { ...FEDERATION_ENV, SMTP_URL: smtp.url } }), startTestServer({ env: FEDERATION_ENV })]);
  alice = await registeredClient(a.url, 'alice');
  await alice.post('/settings/email', { email: 'alice@example.org' });
  const link = linkIn(await smtp.next((m) => /confirm/.test(m.subject)), '/main/confirmaddress/');
  await alice.get(link);
  assert.equal((await alice.post(link)).status, 303);
});
after(async () => {
  await Promise.all([a.stop(), b.stop()]);
  await smtp.stop();
});

async function post(client: WebClient, content: string, inreplyto = ''): Promise<void> {
  await client.get('/notice/new');
  const page = await client.post('/notice/new', { content, inreplyto });
  assert.equal(page.status, 303, textOf(page.text));
}

async function switches(client: WebClient, on: { subscriber?: boolean; mention?: boolean; favorite?: boolean }): Promise<void> {
  await client.get('/settings/email');
  const fields: Record<string, string> = {};
  if (on.subscriber) fields.subscriber = 'on';
  if (on.mention) fields.mention = 'on';
  if (on.favorite ?? true) fields.favorite = 'on'; // favorites have their own test file
  assert.equal((await client.post('/settings/email/notifications', fields)).status, 303);
}

describe('email notifications', () => {
  it('lists exactly the four switches, on by default', async () => {
    const page = await alice.get('/settings/email');
    assert.equal(page.status, 200);
    assert.deepEqual([...page.text.matchAll(/type="checkbox"([^>]*)>/g)].map((m) => /checked/.test(m[1]!)), [true, true, true, true]);
    assert.match(textOf(page.text), /Email me when someone adds one of my notices as a favorite/);
    assert.match(textOf(page.text), /Email me when someone subscribes to my notices/);
    assert.match(textOf(page.text), /Email me when a notice mentions me or answers one of mine/);
    assert.match(textOf(page.text), /Email me when someone sends me a direct message/);
  });

  it('tells alice about a new local subscriber', async () => {
    const bob = await registeredClient(a.url, 'bob');
    assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
    const mail = await smtp.next((m) => m.envelopeTo.includes('alice@example.org') && /listening/.test(m.subject));
    assert.deepEqual(mail.envelopeTo, ['alice@example.org']);
    assert.equal(mail.subject, 'bob is now listening to your notices on Ostrakon');
    assert.match(mail.text, new RegExp(`Their profile: ${a.url}/bob`));
    assert.match(mail.text, new RegExp(`${a.url}/settings/email`));
  });

  it('tells alice about a subscriber on another server', async () => {
    const rita = await registeredClient(b.url, 'rita');
    const { finish } = await remoteSubscribe(a, 'alice', rita, `${b.url}/rita`);
    assert.equal(finish.status, 303, textOf(finish.text));
    const mail = await smtp.next((m) => /rita is now listening/.test(m.subject));
    assert.deepEqual(mail.envelopeTo, ['alice@example.org']);
    assert.match(mail.text, new RegExp(`Their profile: ${b.url}/rita`));
  });

  it('tells alice about a mention and a reply, never the author about their own notice', async () => {
    const carol = await registeredClient(a.url, 'carol');
    await post(carol, 'hello @alice and @carol');
    const mention = await smtp.next((m) => /notice to your attention/.test(m.subject));
    assert.equal(mention.subject, 'carol sent a notice to your attention on Ostrakon');
    assert.deepEqual(mention.envelopeTo, ['alice@example.org']);
    assert.match(mention.text, /hello @alice and @carol/);
    const noticeLink = linkIn(mention, '/notice/');
    assert.equal((await new WebClient(a.url).get(noticeLink)).status, 200, 'the link works');

    await post(alice, 'a notice of mine');
    const aliceNotice = (await a.runtime.ctx.db('notices').orderBy('id', 'desc').first('id')).id;
    await post(carol, 'I agree', String(aliceNotice));
    const reply = await smtp.next((m) => /notice to your attention/.test(m.subject) && /I agree/.test(m.text));
    assert.deepEqual(reply.envelopeTo, ['alice@example.org']);
    await post(alice, '@carol thanks, and a note to @alice');
    await settle();
    assert.equal(smtp.received.filter((m) => /thanks/.test(m.text)).length, 0, 'no email about one’s own notice');
  });

  it('respects the switches: off sends nothing, and the change is kept', async () => {
    await switches(alice, { subscriber: false, mention: true });
    const dan = await registeredClient(a.url, 'dan');
    await dan.post('/main/subscribe', { subscribeto: 'alice' });
    await switches(alice, { subscriber: true, mention: false });
    await post(dan, '@alice are you there?');
    await settle();
    assert.equal(smtp.received.filter((m) => /dan/.test(m.subject)).length, 0);
    const page = await alice.get('/settings/email');
    assert.deepEqual([...page.text.matchAll(/type="checkbox"([^>]*)>/g)].map((m) => /checked/.test(m[1]!)), [true, false, false, true]);
    await switches(alice, { subscriber: true, mention: true });
  });

  it('sends nothing about a mention by someone she mutes or blocks', async () => {
    const gus = await registeredClient(a.url, 'gus');
    const gusId = String((await a.runtime.ctx.db('profiles').where({ nickname: 'gus', is_local: true }).first('id')).id);
    await alice.get('/gus');
    assert.equal((await alice.post('/main/mute', { profile: gusId })).status, 303);
    await post(gus, '@alice listen to me, muted');
    assert.equal((await alice.post('/main/block', { profile: gusId })).status, 303);
    await post(gus, '@alice listen to me, blocked');
    await settle();
    assert.equal(smtp.received.filter((m) => /listen to me/.test(m.text)).length, 0);
    assert.equal((await alice.post('/main/unblock', { profile: gusId })).status, 303);
    await post(gus, '@alice listen to me, free again');
    await smtp.next((m) => /free again/.test(m.text));
  });

  it('sends nothing to a user without a confirmed address', async () => {
    const erin = await registeredClient(a.url, 'erin');
    await erin.post('/settings/email', { email: 'erin@example.org' }); // pending, never confirmed
    await smtp.next((m) => m.envelopeTo.includes('erin@example.org'));
    const fred = await registeredClient(a.url, 'fred');
    await fred.post('/main/subscribe', { subscribeto: 'erin' });
    await post(fred, '@erin hi');
    await settle();
    assert.deepEqual(smtp.to('erin@example.org').map((m) => m.subject), ['Ostrakon: confirm your email address']);
  });

  it('keeps line breaks in a name out of the headers: one subject line, one recipient', async () => {
    const mallory = await registeredClient(a.url, 'mallory');
    // As if another server had sent this name and it had slipped past every check on the way in.
    await a.runtime.ctx.db('profiles').where({ nickname: 'mallory' }).update({ fullname: 'Mallory\r\nBcc: eve@example.org\r\nX-Evil: 1' });
    await mallory.post('/main/subscribe', { subscribeto: 'alice' });
    const mail = await smtp.next((m) => /Mallory/.test(m.subject));
    assert.deepEqual(mail.envelopeTo, ['alice@example.org']);
    assert.equal(mail.subject, 'Mallory Bcc: eve@example.org X-Evil: 1 (mallory) is now listening to your notices on Ostrakon');
    assert.equal(mail.parsed.headers.has('x-evil'), false);
    assert.equal(mail.parsed.bcc, undefined);
    assert.equal(smtp.to('eve@example.org').length, 0);
  });
});

describe('without SMTP_URL', () => {
  it('writes the email, link included, to the log at info level', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const config = loadConfig({ DATA_DIR: b.dataDir, PUBLIC_URL: 'http://localhost:3000' });
    const mailer = createMailer(config, pino({ level: 'info' }, sink));
    assert.equal(await mailer.send({ to: 'x@example.org', subject: 'Ostrakon: set a new password', text: 'open http://localhost:3000/main/recoverpassword/abc' }), 'sent');
    const entry = JSON.parse(lines[0]!) as { level: number; msg: string; mail: { to: string; subject: string; text: string } };
    assert.equal(entry.level, 30);
    assert.equal(entry.mail.to, 'x@example.org');
    assert.match(entry.msg, /no SMTP_URL/);
    assert.match(entry.mail.text, /\/main\/recoverpassword\/abc/);
    assert.equal(await mailer.send({ to: 'x@example.org, y@example.org', subject: 's', text: 't' }), 'rejected');
  });
});
