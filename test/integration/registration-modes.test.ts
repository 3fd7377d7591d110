// REGISTRATION=invite and =approval, the limits on sign-ups and notices, and the duplicate-notice guard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import { staffClient } from '../helpers/moderation.ts';

const PASSWORD = 'correct horse battery';

async function signUp(server: TestServer, path: string, fields: Record<string, string>) {
  const client = new WebClient(server.url);
  await client.get('/main/login');
  const page = await client.post(path, { password: PASSWORD, confirm: PASSWORD, email: '', ...fields });
  return { client, page };
}

async function logIn(server: TestServer, nickname: string) {
  const client = new WebClient(server.url);
  await client.get('/main/login');
  const page = await client.post('/main/login', { nickname, password: PASSWORD });
  if (page.status === 303) await client.get('/'); // the new session's CSRF token
  return { client, page };
}

const inviteCodes = (text: string) => [...text.matchAll(/\/main\/register\/([A-Za-z0-9_-]+)</g)].map((m) => m[1]!);

describe('REGISTRATION=invite', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { REGISTRATION: 'invite' } });
  });
  after(async () => server?.stop());

  it('refuses sign-ups without an invite, and takes one per invite link', async () => {
    const visitor = new WebClient(server.url);
    const closed = await visitor.get('/main/register');
    assert.equal(closed.status, 403);
    assert.match(textOf(closed.text), /by invitation only/);
    assert.equal((await signUp(server, '/main/register', { nickname: 'sneaky' })).page.status, 403);

    const admin = await (async () => {
      // The first admin comes from the command line; here the database plays that part.
      const [profile] = await server.runtime.ctx.db('profiles').insert({ nickname: 'ada', is_local: true }).returning('id');
      const bcrypt = await import('bcrypt');
      await server.runtime.ctx.db('users').insert({ id: profile.id, password_hash: await bcrypt.hash(PASSWORD, 4), is_admin: true });
      const { client } = await logIn(server, 'ada');
      await client.get('/ada/all');
      return client;
    })();
    assert.equal((await admin.post('/admin/invites', {})).status, 303);
    const list = await admin.get('/admin/invites');
    const [code] = inviteCodes(list.text);
    assert.ok(code, list.text);
    assert.match(textOf(list.text), /open/);

    const form = await visitor.get(`/main/register/${code}`);
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`action="/main/register/${code}"`));
    const bad = await signUp(server, `/main/register/${code}`, { nickname: 'Bad Name!' });
    assert.equal(bad.page.status, 400, 'a mistake does not spend the invite');
    const { page } = await signUp(server, `/main/register/${code}`, { nickname: 'newbie' });
    assert.equal(page.status, 303);
    assert.match(textOf((await admin.get('/admin/invites')).text), /used by newbie/);

    assert.equal((await visitor.get(`/main/register/${code}`)).status, 403);
    const again = await signUp(server, `/main/register/${code}`, { nickname: 'second' });
    assert.equal(again.page.status, 403);
    assert.match(textOf(again.page.text), /already been used or has expired/);
    assert.equal(await server.runtime.ctx.db('profiles').where({ nickname: 'second' }).first(), undefined);
    assert.equal((await visitor.get('/main/register/not-a-code')).status, 403);
  });

  it('refuses an expired invite', async () => {
    const [profile] = await server.runtime.ctx.db('profiles').where({ nickname: 'ada' }).select('id');
    await server.runtime.ctx.db('invites').insert({ code: 'oldcode', created_by: profile.id, expires_at: new Date(Date.now() - 1000) });
    assert.equal((await signUp(server, '/main/register/oldcode', { nickname: 'late' })).page.status, 403);
    assert.match(textOf((await (await logIn(server, 'ada')).client.get('/admin/invites')).text), /expired/);
  });

  it('lets ordinary people invite only when INVITES_BY_USERS=true', async () => {
    const { client } = await logIn(server, 'newbie');
    assert.equal((await client.get('/settings/invites')).status, 403);
    assert.equal((await client.post('/settings/invites', {})).status, 403);

    const open = await startTestServer({ env: { REGISTRATION: 'invite', INVITES_BY_USERS: 'true' } });
    try {
      const [profile] = await open.runtime.ctx.db('profiles').insert({ nickname: 'zoe', is_local: true }).returning('id');
      const bcrypt = await import('bcrypt');
      await open.runtime.ctx.db('users').insert({ id: profile.id, password_hash: await bcrypt.hash(PASSWORD, 4) });
      const { client: zoe } = await logIn(open, 'zoe');
      const settings = await zoe.get('/settings/invites');
      assert.equal(settings.status, 200);
      assert.match(settings.text, /href="\/settings\/invites"/, 'the settings menu links to it');
      assert.equal((await zoe.post('/settings/invites', {})).status, 303);
      const [code] = inviteCodes((await zoe.get('/settings/invites')).text);
      assert.equal((await signUp(open, `/main/register/${code}`, { nickname: 'friend' })).page.status, 303);
      assert.match(textOf((await zoe.get('/settings/invites')).text), /used by friend/);
    } finally {
      await open.stop();
    }
  });
});

describe('REGISTRATION=approval', () => {
  let server: TestServer;
  let admin: WebClient;
  before(async () => {
    server = await startTestServer({ env: { REGISTRATION: 'approval' } });
    const [profile] = await server.runtime.ctx.db('profiles').insert({ nickname: 'ada', is_local: true }).returning('id');
    const bcrypt = await import('bcrypt');
    await server.runtime.ctx.db('users').insert({ id: profile.id, password_hash: await bcrypt.hash(PASSWORD, 4), is_admin: true });
    admin = (await logIn(server, 'ada')).client;
    await admin.get('/ada/all');
  });
  after(async () => server?.stop());

  it('asks for a reason, queues the sign-up, and says so at sign-in until an admin accepts it', async () => {
    const form = await new WebClient(server.url).get('/main/register');
    assert.match(form.text, /name="reason"/);
    const noReason = await signUp(server, '/main/register', { nickname: 'wanda', reason: '' });
    assert.equal(noReason.page.status, 400);
    assert.match(textOf(noReason.page.text), /why you would like to join/);
    const long = await signUp(server, '/main/register', { nickname: 'wanda', reason: 'r'.repeat(501) });
    assert.equal(long.page.status, 400);
    assert.equal(await server.runtime.ctx.db('profiles').where({ nickname: 'wanda' }).first(), undefined);

    const { page } = await signUp(server, '/main/register', { nickname: 'wanda', reason: 'I knit <socks>' });
    assert.equal(page.status, 202);
    assert.match(textOf(page.text), /Waiting for approval/);
    const early = await logIn(server, 'wanda');
    assert.equal(early.page.status, 403);
    assert.match(textOf(early.page.text), /waiting for an admin’s approval/);
    assert.equal((await early.client.get('/wanda/all')).status, 200, 'the page is public; nobody is signed in');
    assert.doesNotMatch((await early.client.get('/wanda/all')).text, /Log out/);

    const pending = await admin.get('/admin/registrations');
    assert.match(textOf(pending.text), /wanda, .* I knit <socks>/);
    assert.match(textOf((await admin.get('/admin')).text), /1 sign-up\(s\) waiting for approval/);
    assert.equal((await admin.post('/admin/registrations/wanda/approve', {})).status, 303);
    assert.equal((await admin.post('/admin/registrations/wanda/approve', {})).status, 409);
    assert.equal((await logIn(server, 'wanda')).page.status, 303);
    assert.match(textOf((await admin.get('/admin/log')).text), /ada approve wanda/);
  });

  it('rejects a sign-up: the account goes and its nickname is free again', async () => {
    assert.equal((await signUp(server, '/main/register', { nickname: 'troll', reason: 'lol' })).page.status, 202);
    assert.equal((await admin.post('/admin/registrations/troll/reject', { note: 'no' })).status, 303);
    assert.equal(await server.runtime.ctx.db('profiles').where({ nickname: 'troll' }).first(), undefined);
    assert.equal((await admin.post('/admin/registrations/wanda/reject', { note: '' })).status, 409, 'accepted accounts are not rejected');
    assert.equal((await signUp(server, '/main/register', { nickname: 'troll', reason: 'sorry' })).page.status, 202);
  });
});

describe('limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { REGISTRATIONS_PER_DAY: '2', NOTICES_PER_HOUR: '3', DUPLICATE_NOTICE_MINUTES: '5' } });
  });
  after(async () => server?.stop());

  it('refuses a third registration from one address in a day with 429 and Retry-After', async () => {
    assert.equal((await signUp(server, '/main/register', { nickname: 'bad name' })).page.status, 400, 'refused forms do not count');
    for (const nickname of ['one', 'two']) assert.equal((await signUp(server, '/main/register', { nickname })).page.status, 303);
    const { page } = await signUp(server, '/main/register', { nickname: 'three' });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 80_000);
    assert.match(textOf(page.text), /2 accounts have been registered from your address today.*Try again after/);
    assert.equal(await server.runtime.ctx.db('profiles').where({ nickname: 'three' }).first(), undefined);
  });

  it('refuses the same text twice within minutes, with the form shown again', async () => {
    const { client } = await logIn(server, 'one');
    await client.get('/one/all');
    assert.equal((await client.post('/notice/new', { content: 'Hello there', returnto: '/' })).status, 303);
    const twice = await client.post('/notice/new', { content: 'Hello there', returnto: '/' });
    assert.equal(twice.status, 409);
    assert.match(textOf(twice.text), /You posted exactly this a moment ago/);
    assert.match(twice.text, />Hello there<\/textarea>/);
    const other = await logIn(server, 'two');
    assert.equal((await other.client.post('/notice/new', { content: 'Hello there', returnto: '/' })).status, 303, 'someone else may say the same');
  });

  it('refuses notices past the hourly allowance with 429 and Retry-After', async () => {
    const { client } = await logIn(server, 'one');
    // One notice so far (the duplicate did not count); three are allowed an hour.
    for (const content of ['second', 'third']) assert.equal((await client.post('/notice/new', { content, returnto: '/' })).status, 303);
    const page = await client.post('/notice/new', { content: 'fourth', returnto: '/' });
    assert.equal(page.status, 429);
    const seconds = Number(page.headers.get('retry-after'));
    assert.ok(seconds > 3000 && seconds <= 3600, String(seconds));
    assert.match(textOf(page.text), /You have posted 3 notices in the last hour.*Try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.equal(await server.runtime.ctx.db('notices').where({ content: 'fourth' }).first(), undefined);
  });
});

describe('registered accounts stay usable when registration is open', () => {
  it('registers and signs in as before', async () => {
    const server = await startTestServer();
    try {
      const client = await registeredClient(server.url, 'plain');
      assert.equal((await client.get('/admin')).status, 403);
      await staffClient(server, 'boss', 'moderator');
    } finally {
      await server.stop();
    }
  });
});
