import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import type { Page } from '../helpers/web-client.ts';

let server: TestServer;
let alice: WebClient;
let bob: WebClient;
const noticeCount = async () => Number((await server.runtime.ctx.db('notices').count({ n: '*' }))[0]!.n);
const latestNoticeId = async () => Number((await server.runtime.ctx.db('notices').max({ id: 'id' }))[0]!.id);

async function post(client: WebClient, content: string, extra: Record<string, string> = {}): Promise<Page> {
  return client.post('/notice/new', { content, returnto: '/', ...extra });
}

before(async () => {
  server = await startTestServer({ env: { NOTICE_MAX_LENGTH: '20' } });
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
});
after(() => server.stop());

describe('posting', () => {
  it('saves the notice, redirects back and shows it on the public timeline and its permalink', async () => {
    const page = await post(alice, 'Hello, world!');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/');
    const id = await latestNoticeId();
    const timeline = await alice.get('/');
    assert.equal(noticeIds(timeline.text)[0], id);
    assert.match(textOf(timeline.text), /Hello, world!/);
    const permalink = await new WebClient(server.url).get(`/notice/${id}`);
    assert.equal(permalink.status, 200);
    assert.match(textOf(permalink.text), /alice Hello, world!/);
  });

  it('counts code points, so 20 emoji fit in a 20-character notice', async () => {
    const page = await post(alice, '😀'.repeat(20));
    assert.equal(page.status, 303);
  });

  const bad: [string, string, RegExp][] = [
    ['an empty notice', '   ', /empty/],
    ['a notice over the limit', 'x'.repeat(21), /too long: 21 characters.*at most 20/],
    ['a NUL byte', 'nul\u0000byte', /control characters/],
  ];
  for (const [what, content, message] of bad) {
    it(`refuses ${what} with 400, keeps the text and writes nothing`, async () => {
      const before = await noticeCount();
      const page = await post(alice, content);
      assert.equal(page.status, 400);
      assert.match(textOf(page.text), message);
      if (!content.includes('\u0000') && content.trim()) assert.ok(page.text.includes(`>${content}</textarea>`), 'the text is kept');
      assert.equal(await noticeCount(), before);
    });
  }

  it('refuses visitors and requests without a CSRF token', async () => {
    const before = await noticeCount();
    const visitor = await new WebClient(server.url).post('/notice/new', { content: 'hi' });
    assert.equal(visitor.status, 403);
    const forged = await alice.post('/notice/new', { content: 'hi', _csrf: null });
    assert.equal(forged.status, 403);
    assert.equal(await noticeCount(), before);
  });

  it('renders HTML and script in notice text inert', async () => {
    const payloads = ['<script>x</script>', '<b onclick=x>hi</b>', '"><svg onload=x>'];
    for (const payload of payloads) {
      assert.equal((await post(alice, payload)).status, 303);
    }
    const page = await alice.get('/alice');
    assert.doesNotMatch(page.text, /<script>x|<b onclick|<svg onload/);
    assert.ok(page.text.includes('&#60;script&#62;x&#60;/script&#62;'));
    assert.ok(page.text.includes('&#34;&#62;&#60;svg onload=x&#62;'));
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('links URLs with rel="nofollow noopener", @mentions of local people and #tags', async () => {
    await registeredClient(server.url, 'carol');
    const wide = await startTestServer({});
    try {
      const dave = await registeredClient(wide.url, 'dave');
      await registeredClient(wide.url, 'erin');
      const page = await dave.post('/notice/new', { content: 'Hi @erin and @nobody, see https://example.org/x?a=1&b=2 #Ostrakon!', returnto: '/' });
      assert.equal(page.status, 303);
      const html = (await dave.get('/')).text;
      assert.ok(html.includes(`@<a href="${wide.url}/erin" class="mention">erin</a>`));
      assert.ok(html.includes('@nobody'));
      assert.doesNotMatch(html, /href="[^"]*\/nobody"/);
      assert.ok(html.includes('<a href="https://example.org/x?a=1&#38;b=2" rel="nofollow noopener" class="notice-link">'));
      assert.ok(html.includes(`#<a href="${wide.url}/tag/ostrakon" rel="tag" class="hashtag">Ostrakon</a>!`));
      const replies = await dave.get('/erin/replies');
      assert.match(textOf(replies.text), /Hi @erin/);
      const tag = await dave.get('/tag/ostrakon');
      assert.equal(tag.status, 200);
      assert.match(textOf(tag.text), /Hi @erin/);
      assert.equal((await dave.get('/tag/OSTRAKON')).status, 200, 'tags are case-insensitive');
      const nobodyReplies = await dave.get('/nobody/replies');
      assert.equal(nobodyReplies.status, 404);
    } finally {
      await wide.stop();
    }
  });
});

describe('replies and conversations', () => {
  it('records in_reply_to, shows "in context" and the whole thread', async () => {
    assert.equal((await post(alice, 'Root of a thread')).status, 303);
    const rootId = await latestNoticeId();
    const form = await bob.get(`/notice/new?inreplyto=${rootId}`);
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(`name="inreplyto" value="${rootId}"`));
    assert.ok(form.text.includes('>@alice </textarea>'));
    const reply = await bob.post('/notice/new', { content: '@alice a reply', inreplyto: String(rootId), returnto: `/notice/${rootId}` });
    assert.equal(reply.status, 303);
    assert.equal(reply.location, `/notice/${rootId}`);
    const replyId = await latestNoticeId();
    const row = await server.runtime.ctx.db('notices').where({ id: replyId }).first();
    assert.equal(Number(row.in_reply_to), rootId);
    assert.equal(Number(row.conversation_id), rootId);

    const permalink = await bob.get(`/notice/${replyId}`);
    assert.ok(permalink.text.includes(`href="/conversation/${rootId}#notice-${replyId}"`));
    const thread = await bob.get(`/conversation/${rootId}`);
    assert.equal(thread.status, 200);
    assert.deepEqual(noticeIds(thread.text), [rootId, replyId]);
    const replies = await alice.get('/alice/replies');
    assert.equal(noticeIds(replies.text)[0], replyId);
  });

  it('answers the latest notice of the person a notice starts with, as Laconica did', async () => {
    assert.equal((await post(bob, 'bob speaks')).status, 303);
    const bobsId = await latestNoticeId();
    assert.equal((await post(alice, '@bob indeed')).status, 303);
    const row = await server.runtime.ctx.db('notices').where({ id: await latestNoticeId() }).first();
    assert.equal(Number(row.in_reply_to), bobsId);
  });

  it('refuses a reply to a notice that does not exist, keeping the text', async () => {
    const before = await noticeCount();
    for (const inreplyto of ['999999', 'abc', '-1']) {
      const page = await post(alice, 'orphan', { inreplyto });
      assert.equal(page.status, 400);
      assert.match(textOf(page.text), /does not exist/);
      assert.ok(page.text.includes('>orphan</textarea>'));
    }
    assert.equal(await noticeCount(), before);
  });

  it('answers 404 for unknown notices and conversations', async () => {
    const visitor = new WebClient(server.url);
    for (const path of ['/notice/999999', '/notice/abc', '/notice/1e3', '/conversation/999999', '/conversation/x', '/notice/99999999999999999999']) {
      assert.equal((await visitor.get(path)).status, 404, path);
    }
  });
});

describe('deleting', () => {
  it('asks for confirmation, then removes the notice from every timeline', async () => {
    await bob.post('/main/subscribe', { subscribeto: 'alice' });
    assert.equal((await post(alice, 'soon gone #ephemeral')).status, 303);
    const id = await latestNoticeId();
    const confirm = await alice.get(`/notice/delete/${id}`);
    assert.equal(confirm.status, 200);
    assert.match(textOf(confirm.text), /Delete this notice\?/);
    const refused = await bob.post(`/notice/delete/${id}`);
    assert.equal(refused.status, 403);
    assert.equal(await server.runtime.ctx.db('notices').where({ id }).first().then(Boolean), true);
    const deleted = await alice.post(`/notice/delete/${id}`);
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, '/alice');
    assert.equal((await alice.get(`/notice/${id}`)).status, 404);
    assert.ok(!noticeIds((await alice.get('/')).text).includes(id));
    assert.ok(!noticeIds((await bob.get('/bob/all')).text).includes(id));
    assert.equal((await alice.get('/tag/ephemeral')).status, 404);
    const leftovers = await server.runtime.ctx.db('home_timeline_entries').where({ notice_id: id });
    assert.equal(leftovers.length, 0);
    assert.equal((await alice.post(`/notice/delete/${id}`)).status, 404);
  });
});
