// Direct messages on one server, through HTTP against Postgres: writing to someone who subscribes
// to you, the inbox and outbox (keyset-paged, on an index), one message seen only by its two
// people, deleting from your own box only, bad input refused with the form kept, an email to the
// recipient (switchable), and never a trace of a message on any public page or feed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listBox } from '../../src/db/messages.ts';
import { planOf } from '../helpers/query-plan.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { linkIn, startSmtpServer } from '../helpers/smtp.ts';
import type { TestSmtpServer } from '../helpers/smtp.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let smtp: TestSmtpServer;
let alice: WebClient;
let bob: WebClient;
let carol: WebClient;
const db = () => server.runtime.ctx.db;
const messageCount = async () => Number((await db()('messages').count({ n: '*' }).first())!.n);
const idOf = async (nickname: string) => Number((await db()('profiles').where({ nickname, is_local: true }).first('id')).id);

async function send(client: WebClient, to: string, content: string) {
  await client.get('/message/new');
  return client.post('/message/new', { to, content });
}

async function confirmEmail(client: WebClient, address: string): Promise<void> {
  await client.get('/settings/email');
  await client.post('/settings/email', { email: address });
  const link = linkIn(await smtp.next((m) => m.envelopeTo.includes(address) && /confirm/.test(m.subject)), '/main/confirmaddress/');
  await client.get(link);
  assert.equal((await client.post(link)).status, 303);
}

before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
  carol = await registeredClient(server.url, 'carol');
  assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303); // bob may be written to by alice
  await confirmEmail(bob, 'bob@example.org');
});
after(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe('writing a direct message', () => {
  it('offers the form with ?to= filled in, to signed-in people only', async () => {
    const page = await alice.get('/message/new?to=bob');
    assert.equal(page.status, 200);
    assert.match(page.text, /<input id="message-to" name="to"[^>]*value="bob"/);
    const visitor = await new WebClient(server.url).get('/message/new?to=bob');
    assert.equal(visitor.status, 303);
    assert.match(visitor.location!, /^\/main\/login\?returnto=/);
  });

  it('delivers to the inbox of someone who subscribes to you, and keeps a copy in your outbox', async () => {
    const sent = await send(alice, 'bob', 'Psst @bob, the #surprise party is at http://example.org/place');
    assert.equal(sent.status, 303, textOf(sent.text));
    assert.equal(sent.location, '/alice/outbox?done=sent');
    const row = await db()('messages').orderBy('id', 'desc').first();
    assert.equal(row.sender_id, await idOf('alice'));
    assert.equal(row.recipient_id, await idOf('bob'));
    assert.match(row.rendered, /<a href="http:\/\/example\.org\/place"/);
    const outbox = await alice.get(sent.location!);
    assert.match(textOf(outbox.text), /Your direct message was sent/);
    assert.match(textOf(outbox.text), /To bob Psst @bob, the #surprise party/);
    const inbox = await bob.get('/bob/inbox');
    assert.equal(inbox.status, 200);
    assert.match(textOf(inbox.text), /From alice Psst @bob/);
    assert.match(inbox.text, /href="\/message\/new\?to=alice" class="reply"/);
  });

  it('tells the recipient by email, with the text and a link only they can open', async () => {
    const mail = await smtp.next((m) => m.envelopeTo.includes('bob@example.org') && /direct message/.test(m.subject));
    assert.equal(mail.subject, 'New direct message from alice on Ostrakon');
    assert.match(mail.text, /alice sent you a direct message:\n\nPsst @bob, the #surprise party/);
    const link = linkIn(mail, '/message/');
    assert.equal((await bob.get(link)).status, 200);
    assert.equal((await carol.get(link)).status, 404);
  });

  it('sends no email when the switch is off, and the settings keep it', async () => {
    await bob.get('/settings/email');
    assert.equal((await bob.post('/settings/email/notifications', { subscriber: 'on', mention: 'on' })).status, 303);
    const settings = await bob.get('/settings/email');
    assert.match(textOf(settings.text), /Email me when someone sends me a direct message/);
    assert.doesNotMatch(settings.text, /id="message" name="message" type="checkbox" checked/);
    assert.equal((await send(alice, 'bob', 'no email for this one')).status, 303);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // long enough for a queued email to have gone
    assert.equal(smtp.received.filter((m) => /no email for this one/.test(m.text)).length, 0);
    assert.equal((await bob.post('/settings/email/notifications', { subscriber: 'on', mention: 'on', message: 'on' })).status, 303);
    assert.match((await bob.get('/settings/email')).text, /id="message" name="message" type="checkbox" checked/);
  });
});

describe('refusing what cannot be sent', () => {
  const cases: { name: string; to: string; content: string; status: number; says: RegExp }[] = [
    { name: 'an unknown recipient', to: 'nobody', content: 'hello', status: 404, says: /nobody called “nobody” here/ },
    { name: 'someone who does not subscribe to you', to: 'carol', content: 'hello carol', status: 403, says: /carol does not subscribe to you/ },
    { name: 'someone elsewhere who does not subscribe to you', to: 'zed@elsewhere.example', content: 'hi', status: 403, says: /zed@elsewhere\.example does not subscribe to you/ },
    { name: 'yourself', to: 'alice', content: 'note to self', status: 400, says: /to yourself/ },
    { name: 'no recipient', to: '', content: 'hello', status: 400, says: /Say whom the message is for/ },
    { name: 'an empty message', to: 'bob', content: '  \r\n ', status: 400, says: /the message is empty/ },
    { name: 'a message over the length limit', to: 'bob', content: 'é'.repeat(141), status: 400, says: /141 characters, and a message can have at most 140/ },
    { name: 'control characters', to: 'bob', content: 'bell \u0007 here', status: 400, says: /control characters/ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status}, the form shown again as typed, nothing written`, async () => {
      const before = await messageCount();
      const page = await send(alice, c.to, c.content);
      assert.equal(page.status, c.status, textOf(page.text));
      assert.match(textOf(page.text), c.says);
      assert.match(textOf(page.text), /Your message was not sent/);
      assert.match(page.text, new RegExp(`name="to"[^>]*value="${c.to.replace(/[.]/g, '\\.')}"`));
      const typed = c.content.replace(/&/g, '&amp;');
      assert.ok(page.text.includes(`>${typed.replace(/\r\n/g, '\n')}</textarea>`) || page.text.includes(`>${typed}</textarea>`), 'the text is kept');
      assert.equal(await messageCount(), before);
    });
  }

  it('names both problems at once: no recipient and no text', async () => {
    const page = await send(alice, 'carol', '');
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /carol does not subscribe to you/);
    assert.match(textOf(page.text), /the message is empty/);
  });
});

describe('who sees a message', () => {
  let id: number;
  before(async () => {
    await send(alice, 'bob', 'for bob only');
    id = Number((await db()('messages').where({ content: 'for bob only' }).first('id')).id);
  });

  it('shows it to its sender and recipient; anyone else gets a 404, a visitor the login page', async () => {
    assert.match(textOf((await alice.get(`/message/${id}`)).text), /To bob for bob only/);
    assert.match(textOf((await bob.get(`/message/${id}`)).text), /From alice for bob only/);
    const other = await carol.get(`/message/${id}`);
    assert.equal(other.status, 404);
    assert.doesNotMatch(other.text, /for bob only/);
    assert.equal((await carol.get(`/message/delete/${id}`)).status, 404);
    assert.equal((await carol.post(`/message/delete/${id}`)).status, 404);
    const visitor = await new WebClient(server.url).get(`/message/${id}`);
    assert.equal(visitor.status, 303);
    assert.doesNotMatch(visitor.text, /for bob only/);
    assert.equal((await alice.get('/message/99999999')).status, 404);
  });

  it('keeps each inbox and outbox to its owner', async () => {
    for (const path of ['/bob/inbox', '/bob/outbox', '/alice/outbox', '/alice/inbox', '/nobody/inbox']) {
      const page = await carol.get(path);
      assert.equal(page.status, 404, path);
      assert.doesNotMatch(page.text, /for bob only/, path);
    }
    assert.equal((await new WebClient(server.url).get('/bob/inbox')).status, 303);
  });

  it('deletes from your own box only: the other person keeps theirs, and the row goes when both have', async () => {
    await bob.get(`/message/delete/${id}`);
    const deleted = await bob.post(`/message/delete/${id}`);
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, '/bob/inbox?done=deleted');
    assert.doesNotMatch((await bob.get('/bob/inbox')).text, /for bob only/);
    assert.equal((await bob.get(`/message/${id}`)).status, 404);
    assert.match((await alice.get('/alice/outbox')).text, /for bob only/);
    assert.equal((await alice.get(`/message/${id}`)).status, 200);
    await alice.get(`/message/delete/${id}`);
    assert.equal((await alice.post(`/message/delete/${id}`)).location, '/alice/outbox?done=deleted');
    assert.equal((await db()('messages').where({ id })).length, 0);
    assert.equal((await alice.get(`/message/${id}`)).status, 404);
  });
});

describe('the boxes', () => {
  it('pages 20 at a time with ?before=, and 404s past the end', async () => {
    const dave = await registeredClient(server.url, 'dave');
    await dave.post('/main/subscribe', { subscribeto: 'alice' });
    for (let i = 1; i <= 22; i++) assert.equal((await send(alice, 'dave', `numbered ${i}`)).status, 303);
    const first = await dave.get('/dave/inbox');
    const ids = [...first.text.matchAll(/id="message-(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(ids.length, 20);
    assert.match(textOf(first.text), /numbered 22/);
    const older = /<a href="([^"]+)" rel="next">Older messages/.exec(first.text)?.[1];
    assert.equal(older, `/dave/inbox?before=${ids[19]}`);
    const second = await dave.get(older!);
    assert.equal([...second.text.matchAll(/id="message-(\d+)"/g)].length, 2);
    assert.match(textOf(second.text), /numbered 2 .*numbered 1\b/);
    assert.doesNotMatch(second.text, /rel="next"/);
    assert.equal((await dave.get(`/dave/inbox?before=${Math.min(...ids) - 2}`)).status, 404);
    assert.equal((await dave.get('/dave/inbox?before=abc')).status, 400);
  });

  for (const box of ['inbox', 'outbox'] as const) {
    it(`reads a page of the ${box} in one query on its index`, async () => {
      const owner = await idOf(box === 'inbox' ? 'dave' : 'alice');
      for (const before of [undefined, 1_000_000]) {
        const plan = await planOf(db(), (d) => listBox(d, owner, box, { before, limit: 21 }), ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']);
        assert.match(plan, new RegExp(`Index Scan Backward using messages_${box}`), plan);
        assert.doesNotMatch(plan, /Seq Scan|\bSort\b/, plan);
      }
    });
  }
});

describe('links to messages', () => {
  it('has Messages in the navigation, Inbox and Outbox on your own profile, and "Message" on the profiles of your subscribers only', async () => {
    const own = await alice.get('/alice');
    assert.match(own.text, /<a href="\/alice\/inbox">Messages<\/a>/);
    assert.match(own.text, /<a href="\/alice\/inbox">Inbox<\/a>/);
    assert.match(own.text, /<a href="\/alice\/outbox">Outbox<\/a>/);
    assert.doesNotMatch(own.text, /class="message-link"/);
    assert.match((await alice.get('/bob')).text, /<a href="\/message\/new\?to=bob">Message/);
    assert.doesNotMatch((await alice.get('/carol')).text, /class="message-link"/, 'carol does not subscribe to alice');
    assert.doesNotMatch((await bob.get('/alice')).text, /class="message-link"/, 'alice does not subscribe to bob');
    assert.doesNotMatch((await bob.get('/bob')).text, /\/alice\/inbox/);
    assert.doesNotMatch((await new WebClient(server.url).get('/bob')).text, /message-link|\/inbox"/);
  });
});

describe('no message on any public page', () => {
  // Searched for and used as a tag, so pages repeat it in their queries; BODY is in the message only.
  const SECRET = 'zanzibarcode';
  const BODY = 'marmalade';
  let id: number;
  before(async () => {
    await alice.post('/notice/new', { content: 'a public notice about #sharedtag', returnto: '/' });
    assert.equal((await send(alice, 'bob', `${SECRET} @bob the ${BODY} is in #sharedtag and #${SECRET}tag`)).status, 303);
    id = Number((await db()('messages').where('content', 'like', `${SECRET}%`).first('id')).id);
    await waitFor('the fan-out of the public notice', async () => (await bob.get('/bob/all')).text.includes('a public notice about'));
  });

  it('stays off timelines, profiles, replies, feeds, search, tags and notice pages, for visitors and the two people alike', async () => {
    const paths = [
      '/', '/alice', '/alice/all', '/bob', '/bob/all', '/bob/replies', '/carol/all',
      '/rss', '/atom', '/alice/rss', '/alice/atom', '/bob/replies/rss', '/bob/replies/atom',
      `/search/notice?q=${SECRET}`, `/search/notice/rss?q=${SECRET}`, `/search/notice/atom?q=${SECRET}`, `/search/people?q=${SECRET}`,
      '/tags', '/tag/sharedtag', '/tag/sharedtag/rss', `/tag/${SECRET}tag`, `/tag/${SECRET}tag/atom`,
      `/notice/${id}`, `/conversation/${id}`,
    ];
    for (const client of [new WebClient(server.url), alice, bob]) {
      for (const path of paths) {
        const page = await client.get(path);
        assert.ok(page.status < 500, `${path}: ${page.status}`);
        assert.ok(!page.text.includes(BODY), `${path} shows the message`);
        if (!path.includes(SECRET)) assert.ok(!page.text.includes(SECRET), `${path} shows the message`);
      }
    }
    assert.match((await new WebClient(server.url).get('/tag/sharedtag')).text, /a public notice about/, 'the public notice is there');
    assert.equal((await db()('notices').where('content', 'like', `%${SECRET}%`)).length, 0);
    assert.equal((await db()('notice_tags').where('tag', 'like', `${SECRET}%`)).length, 0);
    assert.equal((await db()('mentions').where({ profile_id: await idOf('bob') })).length, 0);
    const outbox = await fetch(`${server.url}/users/alice/outbox?cursor=`, { headers: { accept: 'application/activity+json' } });
    assert.equal(outbox.status, 200);
    assert.ok(!(await outbox.text()).includes(BODY), 'the ActivityPub outbox');
  });
});
