// Where the XMPP connection lives: never in a web process (its pages only queue messages); in one
// worker at a time when several share the database, another taking over when that one stops; and
// nowhere when XMPP is not set up, where the settings page says so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startRuntime } from '../../src/runtime.ts';
import type { Runtime } from '../../src/runtime.ts';
import { chatLinkPath, TestChatClient } from '../helpers/chat-client.ts';
import { startProsody } from '../helpers/prosody.ts';
import type { TestProsody } from '../helpers/prosody.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';

let prosody: TestProsody;
let bot: string;
let alice: TestChatClient;
const workers: Runtime[] = [];

before(async () => {
  prosody = await startProsody();
  bot = await prosody.register('bot', 'bot-password');
  alice = await TestChatClient.connect(prosody.service, await prosody.register('alice', 'chat-password'), 'chat-password');
});
after(async () => {
  for (const worker of workers) await worker.close().catch(() => {});
  await alice?.stop();
  await prosody?.stop();
});

describe('where the chat bot runs', { skip: process.env.DATABASE_URL ? false : 'several processes share a database only with DATABASE_URL' }, () => {
  let web: TestServer;
  before(async () => {
    web = await startTestServer({ env: { ROLE: 'web', XMPP_SERVICE: prosody.service, XMPP_JID: bot, XMPP_PASSWORD: 'bot-password', XMPP_TLS: 'plain' } });
  });
  after(() => web?.stop());

  it('holds no connection in a web process, one in one of two workers, and fails over', async () => {
    assert.equal(web.runtime.chatBot, undefined, 'a web process has no chat bot');
    const client = await registeredClient(web.url, 'alice');
    await client.get('/settings/im');
    assert.equal((await client.post('/settings/im', { jid: alice.jid })).status, 303);
    assert.deepEqual(await alice.quietFor(1500), [], 'queued, not sent, while no worker runs');

    const logger = pino({ level: 'silent' });
    for (let n = 0; n < 2; n++) workers.push(await startRuntime({ ...web.config, role: 'worker' }, { logger }));
    const online = () => workers.filter((w) => w.chatBot?.isOnline);
    await waitFor('one worker to connect the bot', async () => online().length === 1, 30_000);
    const link = chatLinkPath(await alice.nextFrom(bot, /confirmim/), '/main/confirmim/');
    await client.get(link);
    assert.equal((await client.post(link)).location, '/settings/im?done=confirmed');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(online().length, 1, 'never two connections');

    const [first] = online();
    await first!.close();
    workers.splice(workers.indexOf(first!), 1);
    await waitFor('the other worker to take the bot over', async () => online().length === 1, 40_000);
    await alice.send(bot, 'stats');
    assert.match((await alice.nextFrom(bot, /Subscriptions/, 20_000)).body, /^Subscriptions: 0/);
  });
});

describe('without XMPP settings', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.stop());

  it('runs no bot, and the settings page says instant messaging is not set up', async () => {
    assert.equal(server.runtime.chatBot, undefined);
    const client = await registeredClient(server.url, 'bob');
    const page = await client.get('/settings/im');
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), /Instant messaging is not set up on this site/);
    assert.doesNotMatch(page.text, /name="jid"/);
    const refused = await client.post('/settings/im', { jid: 'bob@example.org' });
    assert.equal(refused.status, 409);
    assert.match(textOf(refused.text), /Instant messaging is not set up/);
  });
});
