// The chat bot's limits, against a real Prosody: messages read per address per minute (one warning,
// then silence), messages sent per address per minute (the rest wait, none is lost), the notices
// per hour the web form allows (one counter for both).
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

async function post(client: WebClient, content: string): Promise<number> {
  await client.get('/notice/new');
  const page = await client.post('/notice/new', { content });
  return page.status;
}

// When each address got its confirmation message: the first message of its first minute.
const confirmedAt: Record<string, number> = {};

async function confirm(name: string): Promise<void> {
  await web[name]!.get('/settings/im');
  await web[name]!.post('/settings/im', { jid: chat[name]!.jid });
  const message = await chat[name]!.nextFrom(bot, /confirmim/);
  confirmedAt[name] = message.at;
  const link = chatLinkPath(message, '/main/confirmim/');
  await web[name]!.get(link);
  assert.equal((await web[name]!.post(link)).location, '/settings/im?done=confirmed');
}

before(async () => {
  prosody = await startProsody();
  bot = await prosody.register('bot', 'bot-password');
  for (const name of ['dave', 'erin', 'frank', 'p1', 'p2', 'p3']) chat[name] = await TestChatClient.connect(prosody.service, await prosody.register(name, PASSWORD), PASSWORD);
  server = await startTestServer({
    env: { XMPP_SERVICE: prosody.service, XMPP_JID: bot, XMPP_PASSWORD: 'bot-password', XMPP_TLS: 'plain', XMPP_RECEIVE_PER_MINUTE: '3', XMPP_SEND_PER_MINUTE: '5', NOTICES_PER_HOUR: '2' },
  });
  await waitFor('the chat bot to come online', async () => server.runtime.chatBot?.isOnline === true, 30_000);
  for (const name of ['erin', 'frank', 'p1', 'p2', 'p3']) web[name] = await registeredClient(server.url, name);
  for (const name of ['erin', 'frank']) await confirm(name);
});
after(async () => {
  await Promise.all(Object.values(chat).map((c) => c.stop()));
  await server?.stop();
  await prosody?.stop();
});

describe('the chat bot’s limits', () => {
  it('reads at most so many messages a minute from one address: one warning, then silence', async () => {
    for (let n = 1; n <= 6; n++) await chat.dave!.send(bot, `message ${n}`);
    const answers = [];
    for (let n = 0; n < 4; n++) answers.push((await chat.dave!.nextFrom(bot)).body);
    assert.equal(answers.filter((body) => /not confirmed for any account/.test(body)).length, 3);
    assert.match(answers[3]!, /faster than this site takes them \(at most 3 a minute\)/);
    assert.deepEqual(await chat.dave!.quietFor(2000), []);
  });

  it('takes notices by chat within the hourly allowance the web form shares', async () => {
    await chat.erin!.send(bot, 'first by chat');
    await chat.erin!.send(bot, 'second by chat');
    await chat.erin!.send(bot, 'third by chat');
    assert.match((await chat.erin!.nextFrom(bot)).body, /^Sorry: You have posted 2 notices in the last hour/);
    const page = textOf((await web.erin!.get('/erin')).text);
    assert.match(page, /first by chat/);
    assert.match(page, /second by chat/);
    assert.doesNotMatch(page, /third by chat/);
    assert.equal(await post(web.erin!, 'and one from the web'), 429, 'one counter for the form and the chat');
  });

  it('sends at most so many messages a minute to one address; the rest wait and arrive', { timeout: 180_000 }, async () => {
    for (const name of ['p1', 'p2', 'p3']) await web.frank!.post('/main/subscribe', { subscribeto: name });
    const started = Date.now();
    for (const name of ['p1', 'p2', 'p3']) for (const n of [1, 2]) assert.equal(await post(web[name]!, `${name} notice ${n}`), 303);
    // Frank's minute began with his confirmation message: 4 more fit in it, 2 wait for the next.
    const prompt = [];
    for (let n = 0; n < 4; n++) prompt.push(await chat.frank!.nextFrom(bot, /notice/));
    assert.ok(prompt.every((m) => m.at - started < 20_000));
    assert.deepEqual(await chat.frank!.quietFor(3000), [], 'the fifth and sixth wait for the next minute');
    const late = [await chat.frank!.nextFrom(bot, /notice/, 150_000), await chat.frank!.nextFrom(bot, /notice/, 30_000)];
    for (const m of late) assert.ok(m.at - confirmedAt.frank! >= 60_000, `arrived ${m.at - confirmedAt.frank!} ms into the minute`);
    assert.equal(new Set([...prompt, ...late].map((m) => m.body.split('\n')[0])).size, 6, 'each notice once');
  });
});
