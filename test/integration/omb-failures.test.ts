// Failures that say why: each failed delivery is logged once with its endpoint, status and what
// the other server said; a 200 that is not an OMB answer (an error page) is retried, not dropped;
// `list-dead` shows dead letters and `requeue-dead` takes one id or a host; the remote-subscribe
// page tells the visitor what their server answered.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startFakeOmbServer } from '../helpers/omb-attacker.ts';
import type { FakeOmbServer } from '../helpers/omb-attacker.ts';
import { addRemoteListener, OMB_SUCCESS, startFakeEndpoint } from '../helpers/fake-endpoint.ts';
import type { FakeEndpoint } from '../helpers/fake-endpoint.ts';
import { recordingLogger, startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PHP_FATAL = '<br />\n<b>Fatal error</b>:  Call to undefined function common_server_serror() in <b>/var/www/actions/postnotice.php</b> on line <b>92</b><br />\n';

function cli(server: TestServer, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: server.dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  if (server.config.databaseUrl) env.DATABASE_URL = server.config.databaseUrl;
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('delivery failures', () => {
  let b: TestServer;
  let bob: WebClient;
  const log = recordingLogger();
  const endpoints: FakeEndpoint[] = [];

  before(async () => {
    b = await startTestServer({ env: FEDERATION_ENV, logger: log.logger });
    bob = await registeredClient(b.url, 'bob');
  });
  after(async () => {
    for (const endpoint of endpoints) endpoint.close();
    await b?.stop();
  });

  async function post(content: string): Promise<void> {
    const page = await bob.post('/notice/new', { content, returnto: '/' });
    assert.equal(page.status, 303, textOf(page.text));
  }
  const linesAbout = (url: string) => log.lines.filter((line) => line.endpoint === url);
  const deadRows = () => b.runtime.ctx.db('dead_deliveries').orderBy('id');

  it('retries a 200 answer without omb_version (an error page) instead of filing it as dead at once', async () => {
    const endpoint = await startFakeEndpoint();
    endpoints.push(endpoint);
    endpoint.answer = { status: 200, body: PHP_FATAL };
    await addRemoteListener(b, 'bob', 'phpfan', endpoint.url);
    await post('Through a PHP fatal error');
    await waitFor('a retry after the error page', async () => endpoint.received.length >= 2, 10_000);
    assert.equal((await deadRows()).length, 0, 'not a dead letter while retries remain');
    endpoint.answer = { status: 200, body: OMB_SUCCESS };
    const tries = endpoint.received.length;
    await waitFor('the delivery once the server is fixed', async () => endpoint.received.length > tries, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // a further retry would come within 2 s
    const delivered = endpoint.received.length;
    assert.equal(endpoint.received.at(-1)!.get('omb_notice_content'), 'Through a PHP fatal error');
    assert.equal((await deadRows()).length, 0);

    const failures = linesAbout(endpoint.url);
    assert.equal(failures.length, delivered - 1, 'each failed attempt is logged once, the success not at all');
    for (const line of failures) {
      assert.equal(line.level, 40);
      assert.equal(line.status, 200);
      assert.match(String(line.answer), /^Fatal error: Call to undefined function common_server_serror\(\)/);
      assert.doesNotMatch(String(line.answer), /<b>/, 'the excerpt is text, not markup');
      assert.equal(line.err, undefined, 'no stack trace');
    }
    assert.equal(log.lines.filter((line) => line.msg === 'job failed').length, 0, 'the queue does not log the same failure again');
    for (const line of log.lines) assert.doesNotMatch(JSON.stringify(line), /tphpfan|sphpfan|oauth_signature/, 'no token, secret or signature in the log');
  });

  it('logs a permanent refusal once, lists dead letters, and requeues one id or one host', async () => {
    const [first, second] = [await startFakeEndpoint(), await startFakeEndpoint()];
    endpoints.push(first, second);
    first.answer = { status: 400, body: '<div class="error">Invalid notice content.</div>' };
    second.answer = { status: 400, body: 'Unsupported OMB version' };
    await addRemoteListener(b, 'bob', 'refuser1', first.url);
    await addRemoteListener(b, 'bob', 'refuser2', second.url);
    await post('Refused twice');
    await waitFor('two dead letters', async () => (await deadRows()).length === 2, 10_000);
    const [firstLine, ...more] = linesAbout(first.url);
    assert.equal(more.length, 0, 'logged once');
    assert.equal(firstLine!.status, 400);
    assert.equal(firstLine!.answer, 'Invalid notice content.');
    assert.equal(firstLine!.level, 40);

    const listed = await cli(b, ['list-dead']);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID\s+TARGET\s+KIND\s+ATTEMPTS\s+LAST ERROR\s+AGE$/);
    assert.equal(rows.length, 2);
    const dead = await deadRows();
    const firstId = dead.find((row) => row.target === first.url)!.id as number;
    assert.match(rows.find((row) => row.includes(first.url))!, new RegExp(`^\\s*${firstId}\\s+${first.url}\\s+notice\\s+1\\s+.*answered 400: Invalid notice content\\.\\s+\\d+s$`));
    assert.match((await cli(b, ['list-dead', second.host])).stdout, new RegExp(`${second.url}[^\\n]*Unsupported OMB version`));
    assert.doesNotMatch((await cli(b, ['list-dead', second.host])).stdout, new RegExp(first.url));

    first.answer = { status: 200, body: OMB_SUCCESS };
    second.answer = { status: 200, body: OMB_SUCCESS };
    const one = await cli(b, ['requeue-dead', String(firstId)]);
    assert.equal(one.stdout, 'Re-queued 1 dead deliveries.\n', one.stderr);
    await waitFor('the requeued delivery', async () => first.received.length === 2);
    assert.equal(second.received.length, 1, 'the other dead letter stays where it was');
    assert.deepEqual((await deadRows()).map((row) => row.target), [second.url]);

    const byHost = await cli(b, ['requeue-dead', second.host]);
    assert.equal(byHost.stdout, 'Re-queued 1 dead deliveries.\n', byHost.stderr);
    await waitFor('the delivery to that host', async () => second.received.length === 2);
    assert.equal((await deadRows()).length, 0);
    assert.equal((await cli(b, ['list-dead'])).stdout, 'No dead deliveries.\n');

    const bad = await cli(b, ['requeue-dead', 'not a host!']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /neither a dead delivery's id nor a host name/);
  });
});

describe('a remote subscription the other server refuses', () => {
  let b: TestServer;
  let home: FakeOmbServer;
  const log = recordingLogger();

  before(async () => {
    b = await startTestServer({ env: FEDERATION_ENV, logger: log.logger });
    await registeredClient(b.url, 'bob');
    home = await startFakeOmbServer();
    home.publishXrds('/fan', {
      localId: `${home.url}/user/1`,
      requestToken: `${home.url}/omb/requesttoken`,
      authorize: `${home.url}/omb/userauthorization`,
      accessToken: `${home.url}/omb/accesstoken`,
      postNotice: `${home.url}/omb/postnotice`,
      updateProfile: `${home.url}/omb/updateprofile`,
    });
  });
  after(async () => {
    await home?.close();
    await b?.stop();
  });

  it('tells the visitor what their server answered, escaped, and logs it as a warning without a stack', async () => {
    home.routes.set('POST /omb/requesttoken', () => ({ status: 500, type: 'text/html', body: `<html><body>${PHP_FATAL}<script>alert(1)</script> & more</body></html>` }));
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const page = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${home.url}/fan` });
    assert.equal(page.status, 502);
    const said = textOf(page.text);
    assert.match(said, /Could not get a request token from your server: it answered 500: “Fatal error: Call to undefined function common_server_serror\(\) in \/var\/www\/actions\/postnotice\.php on line 92 & more”/);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.match(page.text, /&amp; more/, 'the reason is escaped');

    const line = log.lines.find((l) => (l.remote as { endpoint?: string } | undefined)?.endpoint === `${home.url}/omb/requesttoken`);
    assert.ok(line, 'the refusal is logged');
    assert.equal(line.level, 40, 'at warn');
    assert.equal((line.remote as { status: number }).status, 500);
    assert.match(String((line.remote as { reason: string }).reason), /^Fatal error/);
    assert.equal(line.err, undefined, 'without a stack trace');
    assert.equal(log.lines.filter((l) => l.level === 50).length, 0, 'nothing logged as an error');
  });

  it('says so when the server answers without a token', async () => {
    home.routes.delete('POST /omb/requesttoken');
    home.routes.set('POST /omb/requesttoken', () => ({ status: 200, body: '' }));
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const page = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${home.url}/fan` });
    assert.equal(page.status, 502);
    assert.match(textOf(page.text), /it answered 200: “an empty answer instead of a token”/);
  });
});
