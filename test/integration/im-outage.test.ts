// Chat messages are durable jobs: nothing is lost when the XMPP server goes away mid-way (the bot
// reconnects with backoff and sends what waited, in order) or when the worker restarts; a message
// that could not be delivered for a day is dropped with a log line.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IM_SEND_JOB } from '../../src/domain/jobs.ts';
import { chatLinkPath, TestChatClient } from '../helpers/chat-client.ts';
import { startProsody } from '../helpers/prosody.ts';
import type { TestProsody } from '../helpers/prosody.ts';
import { recordingLogger, startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'chat-password';
let prosody: TestProsody;
let server: TestServer;
let bot: string;
let alice: WebClient;
let bob: WebClient;
let aliceChat: TestChatClient;
let bobChat: TestChatClient;
const recorded = recordingLogger();

async function post(client: WebClient, content: string): Promise<void> {
  await client.get('/notice/new');
  const page = await client.post('/notice/new', { content });
  assert.equal(page.status, 303, textOf(page.text));
}

async function confirm(client: WebClient, chat: TestChatClient): Promise<void> {
  await client.get('/settings/im');
  await client.post('/settings/im', { jid: chat.jid });
  const link = chatLinkPath(await chat.nextFrom(bot, /confirmim/), '/main/confirmim/');
  await client.get(link);
  assert.equal((await client.post(link)).location, '/settings/im?done=confirmed');
}

const botOnline = (online: boolean) => waitFor(`the chat bot to be ${online ? 'online' : 'offline'}`, async () => server.runtime.chatBot?.isOnline === online, 60_000);

before(async () => {
  prosody = await startProsody();
  bot = await prosody.register('bot', 'bot-password');
  aliceChat = await TestChatClient.connect(prosody.service, await prosody.register('alice', PASSWORD), PASSWORD);
  bobChat = await TestChatClient.connect(prosody.service, await prosody.register('bob', PASSWORD), PASSWORD);
  server = await startTestServer({ env: { XMPP_SERVICE: prosody.service, XMPP_JID: bot, XMPP_PASSWORD: 'bot-password', XMPP_TLS: 'plain' }, logger: recorded.logger });
  await botOnline(true);
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
  await confirm(alice, aliceChat);
  await confirm(bob, bobChat);
  assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
});
after(async () => {
  await Promise.all([aliceChat?.stop(), bobChat?.stop()]);
  await server?.stop();
  await prosody?.stop();
});

describe('chat messages through outages', () => {
  it('loses nothing when the XMPP server is restarted mid-way, and keeps the order', async () => {
    await post(alice, 'before the outage');
    await bobChat.nextFrom(bot, /^alice: before the outage/);

    await post(alice, 'as the server stops'); // it may or may not have gone out before the stop
    await prosody.halt();
    await botOnline(false);
    for (const n of [1, 2, 3]) await post(alice, `during the outage ${n}`);

    await prosody.restart();
    await Promise.all([botOnline(true), bobChat.waitOnline()]);
    const bodies: string[] = [];
    while (!bodies.some((body) => /during the outage 3/.test(body))) bodies.push((await bobChat.nextFrom(bot, /^alice: /, 60_000)).body);
    // A message whose acknowledgement the server's stop cut off is sent again (at least once, never lost).
    const firsts = [...new Set(bodies.map((body) => body.split('\n')[0]))].filter((line) => line !== 'alice: before the outage');
    assert.deepEqual(firsts, ['alice: as the server stops', 'alice: during the outage 1', 'alice: during the outage 2', 'alice: during the outage 3']);

    assert.ok(!recorded.lines.some((line) => /stream management/.test(String(line.msg))), 'every message was acknowledged by the server (XEP-0198)');

    // Messages to the bot work again too.
    await aliceChat.waitOnline();
    await aliceChat.send(bot, 'stats');
    assert.match((await aliceChat.nextFrom(bot, /Subscribers/, 30_000)).body, /^Subscriptions: 0\nSubscribers: 1\n/);
  });

  it('loses nothing when the worker stops while messages wait', async () => {
    await prosody.halt();
    await botOnline(false);
    await post(alice, 'queued while everything was down');
    await server.halt(); // the worker (and the bot) stop with the message still waiting in the queue
    await prosody.restart();
    await server.restart();
    await botOnline(true);
    await bobChat.waitOnline();
    await bobChat.nextFrom(bot, /^alice: queued while everything was down/, 60_000);
    await bobChat.quietFor(1500); // a copy the server may hand again after its restart
  });

  it('drops a message that could not be delivered for a day, with a log line', async () => {
    const dayAndMore = Date.now() - 25 * 3600 * 1000;
    await server.runtime.ctx.jobs.send(server.runtime.ctx.db, IM_SEND_JOB, { kind: 'text', jid: bobChat.jid, body: 'far too late', queuedAt: dayAndMore }, { key: bobChat.jid });
    await waitFor('the log line', async () => recorded.lines.some((line) => line.msg === 'chat message dropped: not delivered within a day' && line.jid === bobChat.jid));
    assert.deepEqual((await bobChat.quietFor(1500)).filter((m) => /far too late/.test(m.body)), []);
  });
});
