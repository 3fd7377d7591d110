// Instant messaging against a real XMPP server (Prosody, started by the tests on loopback): people
// confirm their Jabber IDs through the link the bot sends, post by chat with the web form's rules,
// get the notices of the people they follow and their @replies as chat messages, and run the
// Laconica commands; unconfirmed addresses get a short help text and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatLinkPath, TestChatClient } from '../helpers/chat-client.ts';
import { filePart, solidPng } from '../helpers/images.ts';
import { FEDERATION_ENV, remoteSubscribe } from '../helpers/omb.ts';
import { startProsody } from '../helpers/prosody.ts';
import type { TestProsody } from '../helpers/prosody.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'chat-password';
let prosody: TestProsody;
let server: TestServer;
let elsewhere: TestServer; // another Ostrakon, federating with this one over OMB
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
  elsewhere = await startTestServer({ env: FEDERATION_ENV });
  server = await startTestServer({
    env: { ...FEDERATION_ENV, XMPP_SERVICE: prosody.service, XMPP_JID: bot, XMPP_PASSWORD: 'bot-password', XMPP_TLS: 'plain', XMPP_RECEIVE_PER_MINUTE: '1000', XMPP_SEND_PER_MINUTE: '1000' },
  });
  await waitFor('the chat bot to come online', async () => server.runtime.chatBot?.isOnline === true, 30_000);
  for (const name of ['alice', 'bob', 'carol']) web[name] = await registeredClient(server.url, name);
});
after(async () => {
  await Promise.all(Object.values(chat).map((c) => c.stop()));
  await server?.stop();
  await elsewhere?.stop();
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

    await chat.alice!.send(bot, '😀'.repeat(140)); // 140 code points (280 UTF-16 units): fits
    await waitFor('the emoji notice', async () => (await noticeIdsOf(web.alice!, 'alice')).length === 2);
    await chat.alice!.send(bot, 'x'.repeat(141));
    assert.match((await chat.alice!.nextFrom(bot)).body, /too long: 141 characters, and a notice can have at most 140/);
    await chat.alice!.send(bot, '   ');
    assert.match((await chat.alice!.nextFrom(bot)).body, /the notice is empty/);
    await chat.alice!.send(bot, 'Hello from my chat client #xmpp');
    assert.match((await chat.alice!.nextFrom(bot)).body, /You posted exactly this a moment ago/);
    assert.equal((await noticeIdsOf(web.alice!, 'alice')).length, 2, 'refused notices are not stored');
  });

  it('sends the notices of the people one follows, and @replies, once each, within seconds', async () => {
    assert.equal((await web.bob!.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
    const sentAt = Date.now();
    await post(web.alice!, 'A notice for the people who follow me');
    const [id] = await noticeIdsOf(web.alice!, 'alice');
    const message = await chat.bob!.nextFrom(bot, /A notice for the people/);
    assert.equal(message.body, `alice: A notice for the people who follow me\n${server.url}/notice/${id}`);
    assert.ok(message.at - sentAt < 10_000, `arrived ${message.at - sentAt} ms after posting`);

    await post(web.alice!, 'Fish & chips <3 </body>'); // text, never markup, in the chat message
    await chat.bob!.nextFrom(bot, /^alice: Fish & chips <3 <\/body>\n/);
    await web.alice!.get('/notice/new');
    const form = new FormData();
    form.append('content', 'Look at this');
    form.append('picture1', filePart(await solidPng(40, 30), 'look.png', 'image/png'));
    form.append('alt1', 'a grey square');
    assert.equal((await web.alice!.postMultipart('/notice/new', form)).status, 303);
    await chat.bob!.nextFrom(bot, /^alice: Look at this \[1 picture\]\nhttp/);
    await post(web.alice!, '@bob are you there?'); // bob follows alice and is mentioned: one message
    await chat.bob!.nextFrom(bot, /^alice: @bob are you there\?/);
    await post(web.carol!, '@bob hello from carol'); // bob does not follow carol: a reply all the same
    await chat.bob!.nextFrom(bot, /^carol: @bob hello from carol/);
    await post(web.bob!, 'What do you all think?');
    const [bobs] = await noticeIdsOf(web.bob!, 'bob');
    await web.carol!.get('/notice/new');
    assert.equal((await web.carol!.post('/notice/new', { content: 'I think it is fine', inreplyto: String(bobs) })).status, 303);
    await chat.bob!.nextFrom(bot, /^carol: I think it is fine/); // answers his notice, without naming him

    assert.deepEqual(await chat.bob!.quietFor(2000), [], 'nothing twice');
    assert.deepEqual(await chat.carol!.quietFor(0), [], 'carol follows nobody and was not mentioned');
    assert.deepEqual(await chat.alice!.quietFor(0), [], 'nobody gets their own notices');
  });

  it('sends the notices of people followed on another server', async () => {
    const dana = await registeredClient(elsewhere.url, 'dana');
    await remoteSubscribe(elsewhere, 'dana', web.bob!, `${server.url}/bob`);
    await post(dana, 'Greetings from the other server');
    const message = await chat.bob!.nextFrom(bot, /Greetings from the other server/, 30_000);
    assert.match(message.body, new RegExp(`^dana@${new URL(elsewhere.url).host}: Greetings from the other server\\n${server.url}/notice/\\d+$`));
  });

  it('sends only what the switches say, and never to a removed address', async () => {
    await web.bob!.get('/settings/im');
    assert.equal((await web.bob!.post('/settings/im/switches', { notices: 'on', post: 'on' })).status, 303); // replies off
    await post(web.carol!, '@bob a reply you do not want');
    await post(web.alice!, 'alice again, for her followers');
    await chat.bob!.nextFrom(bot, /^alice: alice again/);
    assert.deepEqual(await chat.bob!.quietFor(2000), []);
    await web.bob!.post('/settings/im/switches', { notices: 'on', replies: 'on', post: 'on' });

    await web.carol!.get('/settings/im');
    assert.equal((await web.carol!.post('/settings/im/remove')).location, '/settings/im?done=removed');
    await web.carol!.post('/main/subscribe', { subscribeto: 'alice' });
    await post(web.alice!, 'carol removed her address @carol');
    await chat.carol!.send(bot, 'stats');
    assert.match((await chat.carol!.nextFrom(bot)).body, /not confirmed for any account/);
    assert.deepEqual(await chat.carol!.quietFor(2000), [], 'nothing sent to a removed address');
    await confirm('carol');
  });

  it('sends nothing by someone the reader mutes or blocks', async () => {
    const carolId = (await server.runtime.ctx.db('profiles').where({ nickname: 'carol', is_local: true }).first()).id;
    await chat.bob!.quietFor(1500); // what the earlier tests sent him is out of the way
    await web.bob!.get('/bob');
    assert.equal((await web.bob!.post('/main/mute', { profile: String(carolId) })).status, 303);
    await post(web.carol!, '@bob you muted me');
    await post(web.alice!, 'alice, still heard');
    await chat.bob!.nextFrom(bot, /^alice: alice, still heard/);
    assert.deepEqual(await chat.bob!.quietFor(2000), [], 'nothing from carol');
    assert.equal((await web.bob!.post('/main/unmute', { profile: String(carolId) })).status, 303);
    await post(web.carol!, '@bob heard again');
    await chat.bob!.nextFrom(bot, /^carol: @bob heard again/);
  });

  it('runs the Laconica commands, case-insensitively, with an answer for each', async () => {
    const ask = async (text: string, pattern: RegExp) => {
      await chat.alice!.send(bot, text);
      const answer = await chat.alice!.nextFrom(bot, /[\s\S]*/);
      assert.match(answer.body, pattern, `answer to "${text}"`);
      return answer.body;
    };
    for (const help of ['help', 'HELP', '/help']) await ask(help, /follow <nickname>[\s\S]*get <nickname>[\s\S]*stats/);
    await ask('follow carol', /^Subscribed to carol\.$/);
    await ask('SUB bob', /^Subscribed to bob\.$/);
    assert.match(textOf((await web.alice!.get('/alice/subscriptions')).text), /carol[\s\S]*bob|bob[\s\S]*carol/);
    await ask('leave carol', /^Unsubscribed from carol\.$/);
    await ask('unsub @bob', /^Unsubscribed from bob\.$/);
    await ask('follow nobody', /nobody called “nobody” here/);
    await ask('follow', /^Usage: follow <nickname>$/);
    await ask('follow alice', /cannot subscribe to yourself/);

    const [bobs] = await noticeIdsOf(web.bob!, 'bob');
    await ask('get bob', new RegExp(`^bob: What do you all think\\?\\n${server.url}/notice/${bobs}$`));
    await ask('whois bob', new RegExp(`^bob\\nProfile: ${server.url}/bob$`));
    await ask('stats', /^Subscriptions: 0\nSubscribers: 2\nNotices: \d+$/);

    const replyAnswer = await ask(`reply ${bobs} Good question`, /^Your reply is posted: /);
    const replyId = Number(/\/notice\/(\d+)$/.exec(replyAnswer)![1]);
    await chat.bob!.nextFrom(bot, /^alice: Good question/);
    assert.match((await web.alice!.get(`/conversation/${bobs}`)).text, new RegExp(`id="notice-${replyId}"`));
    await ask('reply 99999999 Anyone?', /does not exist any more/);
    await ask('reply bob hello', /^Usage: reply <notice id> <text>/);

    // "@nickname text" is a notice that answers their latest one: silent, and in that thread.
    await chat.alice!.send(bot, '@bob threads like the web form');
    await chat.bob!.nextFrom(bot, /^alice: @bob threads like the web form/);
    await waitFor('the threaded notice', async () => /threads like the web form/.test((await web.alice!.get(`/conversation/${bobs}`)).text));

    await ask('d bob psst, a secret', /^Direct message sent to bob\.$/);
    assert.match(textOf((await web.bob!.get('/bob/inbox')).text), /psst, a secret/);
    assert.doesNotMatch((await web.alice!.get('/alice')).text, /psst/, 'a direct message is no notice');
    await ask('d nobody hello', /^Sorry: /);
    await chat.bob!.send(bot, 'd alice only if you follow me');
    assert.match((await chat.bob!.nextFrom(bot, /^Sorry/)).body, /^Sorry: alice does not subscribe to you/);
    await ask(`fav ${bobs}`, new RegExp(`^Added to your favorites: bob’s notice ${server.url}/notice/${bobs}$`));
    await ask(`fav #${bobs}`, /^Sorry: You have already added this notice to your favorites\.$/);
    await ask('fav carol', /^Added to your favorites: carol’s notice /);
    assert.match(textOf((await web.alice!.get('/alice/favorites')).text), /What do you all think\?/);
    await ask('fav 99999999', /^Sorry: /);
    await ask('/dance', /^Unknown command "dance"/);

    await ask('off', /^Notifications off/);
    await post(web.bob!, '@alice while you were away');
    assert.deepEqual(await chat.alice!.quietFor(2500), [], 'nothing while off');
    await ask('ON', /^Notifications on/);
    await post(web.bob!, '@alice welcome back');
    await chat.alice!.nextFrom(bot, /^bob: @alice welcome back/);

    // A command word followed by more than it takes is a notice, as in Laconica.
    await chat.alice!.send(bot, 'on my way');
    await waitFor('"on my way" to be posted', async () => /on my way/.test((await web.alice!.get('/alice')).text));
  });

  it('follows the posting and answering switches', async () => {
    await web.alice!.get('/settings/im');
    await web.alice!.post('/settings/im/switches', { notices: 'on', replies: 'on', echo: 'on', post: 'on' });
    await chat.alice!.send(bot, 'Posted, and told so');
    const [id] = await waitForNewest(web.alice!, /Posted, and told so/);
    assert.equal((await chat.alice!.nextFrom(bot)).body, `Posted: ${server.url}/notice/${id}`);
    await web.alice!.post('/settings/im/switches', { notices: 'on', replies: 'on' }); // posting off
    await chat.alice!.send(bot, 'Not to be posted');
    assert.match((await chat.alice!.nextFrom(bot)).body, /Posting by chat is switched off/);
    await chat.alice!.send(bot, 'stats');
    assert.match((await chat.alice!.nextFrom(bot)).body, /^Subscriptions: /, 'commands still work');
    assert.doesNotMatch((await web.alice!.get('/alice')).text, /Not to be posted/);
    await web.alice!.post('/settings/im/switches', { notices: 'on', replies: 'on', post: 'on' });
  });

  it('takes the sender from the bare JID the server authenticated, whatever the resource', async () => {
    const phone = await TestChatClient.connect(prosody.service, chat.alice!.jid, PASSWORD, 'phone');
    try {
      await phone.send(bot, 'Sent from my phone');
      await waitFor('the phone notice', async () => /Sent from my phone/.test((await web.alice!.get('/alice')).text));
    } finally {
      await phone.stop();
    }
  });

  it('accepts presence subscriptions from confirmed addresses only', async () => {
    await chat.alice!.sendPresence(bot, 'subscribe');
    await chat.alice!.nextPresence((p) => p.from === bot && p.type === 'subscribed');
    await chat.stranger!.sendPresence(bot, 'subscribe');
    await assert.rejects(chat.stranger!.nextPresence((p) => p.from === bot && p.type === 'subscribed', 2500), /timed out/);
  });
});

/** The newest notice ids of a person once the newest matches (posted by chat: it takes a moment). */
async function waitForNewest(client: WebClient, pattern: RegExp): Promise<number[]> {
  await waitFor('the notice to be posted', async () => pattern.test((await client.get('/alice')).text));
  return noticeIdsOf(client, 'alice');
}
