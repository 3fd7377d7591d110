// The admin command line, run as a real process against the database of a running test server
// (a Postgres database of its own, or the embedded one that the command line joins).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PgBoss } from 'pg-boss';
import { openDatabase } from '../../src/db/connection.ts';
import { EmbeddedDatabaseBusyError } from '../../src/db/embedded.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery';

type Run = { code: number | null; stdout: string; stderr: string };

let server: TestServer;

// The child gets the server's database settings and nothing of ours (no DATABASE_URL of the suite).
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: server.dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  delete env.OSTRAKON_PASSWORD;
  if (server.config.databaseUrl) env.DATABASE_URL = server.config.databaseUrl;
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const child = spawn(command, args, { cwd: ROOT, env: cliEnv(options.env ?? {}), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs src/cli.ts on this Node (the project's Node 24). */
const cli = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) => run(process.execPath, [path.join(ROOT, 'src/cli.ts'), ...args], options);

const db = () => server.runtime.ctx.db;
const userRow = (nickname: string) => db()('users as u').join('profiles as p', 'p.id', 'u.id').where({ 'p.nickname': nickname, 'p.is_local': true }).first('u.*');
const userCount = async () => Number((await db()('users').count({ n: '*' }))[0]!.n);

async function logIn(nickname: string, password: string): Promise<{ client: WebClient; status: number }> {
  const client = new WebClient(server.url);
  await client.get('/main/login');
  const page = await client.post('/main/login', { nickname, password });
  return { client, status: page.status };
}

function assertNoStack(result: Run): void {
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

before(async () => {
  // Web only: no workers, so queued jobs stay where the tests can see them.
  server = await startTestServer({ env: { ROLE: 'web' }, loginLimits: { perIp: 1000, perAccount: 1000, windowMs: 60_000 } });
});
after(() => server.stop());

describe('help and usage errors', () => {
  it('lists every command with --help and help, and shows one command with <command> --help', async () => {
    for (const args of [['--help'], ['help'], []]) {
      const result = await cli(args);
      assert.equal(result.code, 0, result.stderr);
      for (const name of ['create-user', 'reset-password', 'delete-user', 'list-users', 'requeue-dead', 'migrate']) assert.match(result.stdout, new RegExp(`\\n  ${name} +\\S`));
    }
    const one = await cli(['delete-user', '--help']);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /^Usage: ostrakon delete-user <nickname> --yes/);
    assert.equal((await cli(['help', 'create-user'])).stdout.split('\n')[0], 'Usage: ostrakon create-user <nickname> [--email <address>] [--admin]');
  });

  it('exits 2 with a message on stderr for an unknown command, option or a missing argument', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['help', 'frobnicate'], /Unknown command "frobnicate"/],
      [['create-user'], /missing <nickname>/],
      [['list-users', '--bogus'], /Unknown option '--bogus'/],
      [['list-users', 'extra'], /unexpected argument "extra"/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
      assertNoStack(result);
    }
  });

  it('runs as `npm run admin` and through the ostrakon bin entry', async () => {
    const viaNpm = await run('npm', ['run', 'admin', '--silent', '--', 'help']);
    assert.equal(viaNpm.code, 0, viaNpm.stderr);
    assert.match(viaNpm.stdout, /requeue-dead/);
    const viaBin = await run(process.execPath, [path.join(ROOT, 'bin/ostrakon.js'), 'nope']);
    assert.equal(viaBin.code, 2);
    assert.match(viaBin.stderr, /Unknown command "nope"/);
  });

  it('says it cannot reach the database, without a stack trace', async () => {
    const result = await cli(['list-users'], { env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot use the database: .*DATABASE_URL/);
    assertNoStack(result);
  });
});

describe('create-user', () => {
  it('creates an account from a password on stdin that can sign in over HTTP, also with registration closed', async () => {
    const result = await cli(['create-user', 'alice'], { stdin: `${PASSWORD}\n`, env: { REGISTRATION: 'closed' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Created user alice \(id \d+\)\.\n$/);
    const row = await userRow('alice');
    assert.equal(row.is_admin, false);
    assert.match(row.password_hash, /^\$2b\$/);
    const { client, status } = await logIn('alice', PASSWORD);
    assert.equal(status, 303);
    assert.match(textOf((await client.get('/alice/all')).text), /What’s up, alice\?/);
  });

  it('makes a site admin with --admin, with the password from OSTRAKON_PASSWORD and an e-mail address', async () => {
    const result = await cli(['create-user', 'root2', '--admin', '--email', 'root@example.org'], { env: { OSTRAKON_PASSWORD: PASSWORD } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created admin user root2/);
    const row = await userRow('root2');
    assert.equal(row.is_admin, true);
    assert.equal(row.email, 'root@example.org');
  });

  it('refuses what registration refuses, with exit status 1 and nothing written', async () => {
    const cases: [string[], string, RegExp][] = [
      [['create-user', 'alice'], PASSWORD, /“alice” is already in use/],
      [['create-user', 'bob'], 'short', /at least 8 characters/],
      [['create-user', 'bob', '--email', 'not an address'], PASSWORD, /does not look like an e-mail address/],
      [['create-user', 'settings'], PASSWORD, /reserved/],
      [['create-user', 'Bob Smith'], PASSWORD, /lower-case letters/],
    ];
    for (const [args, password, message] of cases) {
      const users = await userCount();
      const result = await cli(args, { stdin: `${password}\n` });
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
      assertNoStack(result);
      assert.equal(await userCount(), users);
    }
  });

  it('asks for a password when none is given (exit 2)', async () => {
    const result = await cli(['create-user', 'bob']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /No password given: set OSTRAKON_PASSWORD/);
    assert.equal(await userRow('bob'), undefined);
  });
});

describe('reset-password', () => {
  it('sets the new password and signs the user out of the sessions they had', async () => {
    assert.equal((await cli(['create-user', 'carol'], { env: { OSTRAKON_PASSWORD: PASSWORD } })).code, 0);
    const { client, status } = await logIn('carol', PASSWORD);
    assert.equal(status, 303);
    assert.equal((await client.get('/settings/password')).status, 200);

    const result = await cli(['reset-password', 'carol'], { stdin: 'a new password\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /New password set for carol; 1 signed-in session\(s\) ended\./);
    const settings = await client.get('/settings/password');
    assert.equal(settings.status, 303, 'the old session is signed out');
    assert.match(settings.location!, /^\/main\/login/);
    assert.equal((await logIn('carol', PASSWORD)).status, 401);
    assert.equal((await logIn('carol', 'a new password')).status, 303);
  });

  it('refuses an unknown user or a weak password with exit status 1', async () => {
    const unknown = await cli(['reset-password', 'nobody'], { env: { OSTRAKON_PASSWORD: PASSWORD } });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /There is no local user “nobody”/);
    const weak = await cli(['reset-password', 'carol'], { env: { OSTRAKON_PASSWORD: 'short' } });
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /at least 8 characters/);
    assert.equal((await logIn('carol', 'a new password')).status, 303);
  });
});

describe('delete-user', () => {
  it('refuses without --yes, then deletes the account, its notices, sessions and what hung on it', async () => {
    const dave = await registeredClient(server.url, 'dave');
    const page = await dave.post('/notice/new', { content: 'dave was here #cli', returnto: '/' });
    assert.equal(page.status, 303);
    assert.match((await new WebClient(server.url).get('/')).text, /dave was here/);
    const { id: daveId } = await userRow('dave');
    // A remote listener (as a finished OMB subscription leaves it) and a dead delivery to it.
    const [{ id: fanId }] = await db()('profiles').insert({ nickname: 'fan', is_local: false, uri: 'http://remote.example/user/1', profile_url: 'http://remote.example/fan' }).returning('id');
    await db()('subscriptions').insert({ subscriber_id: fanId, subscribed_id: daveId });
    await db()('omb_remote_listeners').insert({ subscriber_id: fanId, subscribed_id: daveId, token: 't', secret: 's', postnotice_url: 'http://remote.example/pn', updateprofile_url: 'http://remote.example/up' });
    await db()('dead_deliveries').insert({ job_name: 'omb.deliver', data: JSON.stringify({ kind: 'notice', url: 'http://remote.example/pn', subscribedId: daveId, subscriberIds: [fanId], params: {} }), target: 'http://remote.example/pn', attempts: 3, last_error: 'gone' });

    const refused = await cli(['delete-user', 'dave']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /add --yes/);
    assert.ok(await userRow('dave'));

    const result = await cli(['delete-user', 'dave', '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Deleted dave: 1 notice\(s\), 1 session\(s\), 1 remote profile\(s\) nobody else follows, 1 dead deliveries\./);
    assert.doesNotMatch((await new WebClient(server.url).get('/')).text, /dave was here/);
    assert.equal((await new WebClient(server.url).get('/tag/cli')).text.includes('dave was here'), false);
    assert.equal((await dave.get('/settings/password')).status, 303, 'signed out');
    assert.equal((await new WebClient(server.url).get('/dave')).status, 404);
    for (const [table, column] of [['profiles', 'id'], ['notices', 'profile_id'], ['subscriptions', 'subscribed_id'], ['omb_remote_listeners', 'subscribed_id']] as const) {
      assert.equal((await db()(table).where(column, daveId)).length, 0, table);
    }
    assert.equal((await db()('profiles').where({ id: fanId })).length, 0, 'the remote profile only dave had is gone');
    assert.equal((await db()('dead_deliveries')).length, 0);
  });

  it('says so for an unknown user', async () => {
    const result = await cli(['delete-user', 'nobody', '--yes']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /There is no local user “nobody”/);
  });
});

describe('list-users', () => {
  it('lists accounts as a table and as JSON with their notice counts', async () => {
    const erin = await registeredClient(server.url, 'erin');
    for (const content of ['one', 'two']) assert.equal((await erin.post('/notice/new', { content, returnto: '/' })).status, 303);
    const text = await cli(['list-users']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NICKNAME +ID +CREATED \(UTC\) +ADMIN +NOTICES$/);
    assert.ok(lines.some((line) => /^root2 +\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +yes +0$/.test(line)), text.stdout);
    assert.ok(lines.some((line) => /^erin +\d+ .* no +2$/.test(line)), text.stdout);

    const json = await cli(['list-users', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const users = JSON.parse(json.stdout) as { nickname: string; id: number; created: string; admin: boolean; notices: number }[];
    assert.deepEqual(users.map((u) => u.nickname).filter((n) => n !== 'gina'), ['alice', 'root2', 'carol', 'erin']);
    const erinRow = users.find((u) => u.nickname === 'erin')!;
    assert.equal(erinRow.notices, 2);
    assert.equal(erinRow.admin, false);
    assert.equal(erinRow.id, (await userRow('erin')).id);
    assert.ok(!Number.isNaN(Date.parse(erinRow.created)));
    assert.equal(users.find((u) => u.nickname === 'root2')!.admin, true);
  });
});

describe('set-role', () => {
  it('makes a user a moderator, an admin and an ordinary user again; refuses unknown roles and people', async () => {
    const client = await registeredClient(server.url, 'gina');
    for (const [role, admin, moderator, words] of [
      ['moderator', false, true, 'gina is now a moderator.'],
      ['admin', true, false, 'gina is now an admin.'],
      ['user', false, false, 'gina is now an ordinary user.'],
    ] as const) {
      const result = await cli(['set-role', 'gina', role]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), words);
      const row = await userRow('gina');
      assert.deepEqual([row.is_admin, row.is_moderator], [admin, moderator]);
      // The role shows at once on the site: staff get the admin pages, others 403.
      assert.equal((await client.get('/admin')).status, role === 'user' ? 403 : 200);
    }
    const bad = await cli(['set-role', 'gina', 'king']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /admin, moderator, user/);
    const nobody = await cli(['set-role', 'nobody', 'admin']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /There is no local user “nobody”/);
  });
});

describe('requeue-dead', () => {
  it('queues dead deliveries again and gives failed jobs another attempt', async () => {
    const url = 'http://peer.example/omb/postnotice';
    await db()('dead_deliveries').insert({ job_name: 'omb.deliver', data: JSON.stringify({ kind: 'notice', url, subscribedId: 1, subscriberIds: [2], params: { a: 'b' } }), target: url, attempts: 40, last_error: 'answered 500' });
    const boss = new PgBoss({ connectionString: server.runtime.database.url, schema: 'pgboss', supervise: false, schedule: false, useListenNotify: false });
    await boss.start();
    try {
      const id = (await boss.send('profile.distribute', { profileId: 424242 }, { retryLimit: 0 }))!;
      const [job] = await boss.fetch('profile.distribute');
      assert.equal(job!.id, id);
      await boss.fail('profile.distribute', id, { message: 'broken' });
      assert.equal((await boss.findJobs('profile.distribute', { id }))[0]!.state, 'failed');

      const result = await cli(['requeue-dead']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'Re-queued 1 dead deliveries and 1 failed jobs.\n');
      assert.equal((await db()('dead_deliveries')).length, 0);
      const [requeued] = await boss.findJobs<Record<string, unknown>>('omb.deliver', { data: { url } });
      assert.equal(requeued!.state, 'created');
      assert.deepEqual(requeued!.data.params, { a: 'b' });
      assert.equal((await boss.findJobs('profile.distribute', { id }))[0]!.state, 'retry');

      const again = await cli(['requeue-dead']);
      assert.equal(again.stdout, 'Re-queued 0 dead deliveries and 0 failed jobs.\n');
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });
});

describe('migrate', () => {
  it('says there is nothing to do on an up-to-date database', async () => {
    const result = await cli(['migrate']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Nothing to migrate: the database is up to date.\n');
  });
});

describe('the embedded database', () => {
  it('is opened by one process: the command line joins it, a second server is refused', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-cli-'));
    const owner = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      const env = { DATA_DIR: dataDir, DATABASE_URL: '' };
      const listed = await cli(['list-users'], { env });
      assert.equal(listed.code, 1);
      assert.match(listed.stderr, /run the "migrate" command first/);
      const migrated = await cli(['migrate'], { env });
      assert.equal(migrated.code, 0, migrated.stderr);
      assert.match(migrated.stdout, /Ran 20261125000000_core\.ts/);
      assert.equal((await cli(['create-user', 'gina'], { env: { ...env, OSTRAKON_PASSWORD: PASSWORD } })).code, 0);
      assert.equal((await owner.knex('profiles').where({ nickname: 'gina' })).length, 1, 'written through the owner');
      await assert.rejects(openDatabase({ databaseUrl: undefined, dataDir }), EmbeddedDatabaseBusyError);
    } finally {
      await owner.close();
    }
    assert.equal(existsSync(path.join(dataDir, 'embedded.lock')), false, 'the lock goes with the owner');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
