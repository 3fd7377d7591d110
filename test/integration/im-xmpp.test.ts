// Instant messaging against a real XMPP server (Prosody, started by the tests on loopback): people
// confirm their Jabber IDs through the link the bot sends, post by chat with the web form's rules,
// get the notices of the people they follow and their @replies as chat messages, and run the
// Laconica commands; unconfirmed addresses get a short help text and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatLinkPath, TestChatClient } from '../helpers/chat-client.ts';
import { startProsody } from '../helpers/prosody.ts';
import type { TestProsody } from '../helpers/prosody.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'chat-password';
let prosody: TestProsody;
let server: TestServer;
let bot: string;
const web: Record<string, WebClient> = {};
const chat: Record<string, TestChatClient> = {};

async function post(client: WebClient, content: string): Promise<void> {
  await client.get('/notice/new');
  const page = await client.post('/notice/new', { content });
  assert.equal(page.status, 303, textOf(page.text));
}

/** The ids of a person's notices, newest first, from their profile page. */
async function noticeIdsOf(client: WebClient, nickname: string): Promise<number[]> {
  return [...(await client.get(`/${nickname}`)).text.matchAll(/<li class="notice" id="notice-(\d+)">/g)].map((m) => Number(m[1]));
}

/** Gives a Jabber ID in settings and follows the link the bot sends to it. */
async function confirm(name: string): Promise<void> {
  const client = web[name]!;
  await client.get('/settings/im');
  const saved = await client.post('/settings/im', { jid: chat[name]!.jid });
  assert.equal(saved.status, 303, textOf(saved.text));
  const link = chatLinkPath(await chat[name]!.nextFrom(bot, /confirmim/), '/main/confirmim/');
  assert.equal((await client.get(link)).status, 200);
  const done = await client.post(link);
  assert.equal(done.location, '/settings/im?done=confirmed');
}

before(async () => {
  prosody = await startProsody();
  bot = await prosody.register('bot', 'bot-password');
  for (const name of ['alice', 'bob', 'carol', 'stranger']) {
    const jid = await prosody.register(name, PASSWORD);
    chat[name] = await TestChatClient.connect(prosody.service, jid, PASSWORD);
  }
  server = await startTestServer({
    env: { XMPP_SERVICE: prosody.service, XMPP_JID: bot, XMPP_PASSWORD: 'bot-password', XMPP_TLS: 'plain', NOTICES_PER_HOUR: '12', DUPLICATE_NOTICE_MINUTES: '5' },
  });
  await waitFor('the chat bot to come online', async () => server.runtime.chatBot?.isOnline === true, 30_000);
  for (const name of ['alice', 'bob', 'carol']) web[name] = await registeredClient(server.url, name);
});
after(async () => {
  await Promise.all(Object.values(chat).map((c) => c.stop()));
  await server?.stop();
  await prosody?.stop();
});

describe('instant messaging by XMPP', () => {
  it('answers an address nobody confirmed with a short help text, and does nothing else', async () => {
    await chat.stranger!.send(bot, 'follow alice');
    const answer = await chat.stranger!.nextFrom(bot);
    assert.match(answer.body, /not confirmed for any account/);
    assert.match(answer.body, new RegExp(`${server.url}/settings/im`));
    assert.equal((await noticeIdsOf(web.alice!, 'alice')).length, 0);
  });

  it('confirms a Jabber ID through the single-use link the bot sends; refuses what is no Jabber ID', async () => {
    await web.alice!.get('/settings/im');
    const bad = await web.alice!.post('/settings/im', { jid: 'alice at example' });
    assert.equal(bad.status, 400);
    assert.match(textOf(bad.text), /does not look like a Jabber ID/);
    assert.match(bad.text, /value="alice at example"/);

    // Until the link is followed, the address is a stranger's.
    await web.alice!.post('/settings/im', { jid: chat.alice!.jid });
    const link = chatLinkPath(await chat.alice!.nextFrom(bot, /confirmim/), '/main/confirmim/');
    await chat.alice!.send(bot, 'a notice before confirming');
    assert.match((await chat.alice!.nextFrom(bot)).body, /not confirmed for any account/);
    assert.match(textOf((await web.alice!.get('/settings/im')).text), new RegExp(`Waiting for confirmation: ${chat.alice!.jid}`));

    const page = await web.alice!.get(link);
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), new RegExp(`Confirm ${chat.alice!.jid}`));
    assert.equal((await web.alice!.post(link)).location, '/settings/im?done=confirmed');
    assert.match(textOf((await web.alice!.get('/settings/im?done=confirmed')).text), new RegExp(`Confirmed address: ${chat.alice!.jid}`));
    assert.equal((await web.alice!.get(link)).status, 410, 'a used link no longer works');

    await confirm('bob');
    await confirm('carol');
  });

  it('posts what a confirmed address sends, with the web form’s rules, silently on success', async () => {
    await chat.alice!.send(bot, 'Hello from my chat client #xmpp');
    await waitFor('the notice to appear', async () => /Hello from my chat client/.test((await web.alice!.get('/alice')).text));
    assert.match((await web.alice!.get('/tag/xmpp')).text, /Hello from my chat client/);
    assert.deepEqual(await chat.alice!.quietFor(1500), [], 'no answer to a notice posted');

    await chat.alice!.send(bot, 'x'.repeat(141));
    assert.match((await chat.alice!.nextFrom(bot)).body, /too long: 141 characters, and a notice can have at most 140/);
    await chat.alice!.send(bot, '   ');
    assert.match((await chat.alice!.nextFrom(bot)).body, /the notice is empty/);
    await chat.alice!.send(bot, 'Hello from my chat client #xmpp');
    assert.match((await chat.alice!.nextFrom(bot)).body, /You posted exactly this a moment ago/);
    assert.equal((await noticeIdsOf(web.alice!, 'alice')).length, 1, 'refused notices are not stored');
  });
});
