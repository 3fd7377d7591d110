// Input whose bytes are not valid UTF-8 (raw bytes, percent-escapes of them, encoded surrogates,
// overlong forms, code points past U+10FFFF, cut-off sequences) is refused with 400 before it
// becomes text: forms are shown again with the reason and what was typed (U+FFFD where the bytes
// were), query strings and OMB parameters are refused, and nothing is written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeForm, signRequest } from '../../src/federation/omb/oauth.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const V = 'http://openmicroblogging.org/protocol/0.1';
let server: TestServer;
let alice: WebClient;
let aliceUri: string;
const db = () => server.runtime.ctx.db;
const count = async (table: string) => Number((await db()(table).count({ n: '*' }))[0]!.n);

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  aliceUri = `${server.url}/user/${(await db()('profiles').where({ nickname: 'alice' }).first()).id}`;
});
after(() => server?.stop());

// Each bad form, as bytes to put inside a urlencoded value.
const BAD: [string, Buffer][] = [
  ['raw 0xFF 0xFE', Buffer.from([0xff, 0xfe])],
  ['escaped %FF%FE', Buffer.from('%FF%FE')],
  ['an encoded surrogate %ED%A0%80', Buffer.from('%ED%A0%80')],
  ['a raw surrogate', Buffer.from([0xed, 0xb0, 0x80])],
  ['overlong "/" %C0%AF', Buffer.from('%C0%AF')],
  ['overlong "/" in three bytes %E0%80%AF', Buffer.from('%E0%80%AF')],
  ['overlong NUL %C0%80', Buffer.from('%C0%80')],
  ['past U+10FFFF %F4%90%80%80', Buffer.from('%F4%90%80%80')],
  ['a cut-off euro sign %E2%82', Buffer.from('%E2%82')],
  ['a lone continuation byte %80', Buffer.from('%80')],
];

// A urlencoded body with `bad` spliced into the value of `field`.
function body(fields: Record<string, string>, field: string, bad: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`${parts.length ? '&' : ''}${encodeURIComponent(name)}=${encodeURIComponent(value)}`));
    if (name === field) parts.push(bad, Buffer.from(encodeURIComponent(' and more')));
  }
  return Buffer.concat(parts);
}

const FORM = 'application/x-www-form-urlencoded';

describe('invalid UTF-8 in browser forms', () => {
  it('a notice is refused with 400, the form shown again with the reason and the text as typed; nothing is stored', async () => {
    await alice.get('/notice/new');
    const before = await count('notices');
    for (const [what, bad] of BAD) {
      const page = await alice.postRaw('/notice/new', body({ _csrf: alice.csrfToken!, content: 'hello ' }, 'content', bad), FORM);
      assert.equal(page.status, 400, what);
      assert.match(textOf(page.text), /“content” could not be read: it contained bytes that are not UTF-8 text/, what);
      assert.match(page.text, /<textarea[^>]*aria-invalid="true"[^>]*>hello \uFFFD+ and more<\/textarea>/, what);
    }
    assert.equal(await count('notices'), before, 'no notice was written');
  });

  it('valid UTF-8 still goes through, a typed U+FFFD included', async () => {
    await alice.get('/notice/new');
    const page = await alice.post('/notice/new', { content: 'héllo € 😀 \uFFFD' });
    assert.equal(page.status, 303, textOf(page.text));
    assert.equal((await db()('notices').orderBy('id', 'desc').first()).content, 'héllo € 😀 \uFFFD');
  });

  it('registration is refused with the reason next to the field, keeping what was typed; no account is made', async () => {
    const visitor = new WebClient(server.url);
    await visitor.get('/main/register');
    const before = await count('users');
    for (const field of ['nickname', 'password', 'email']) {
      const fields = { _csrf: visitor.csrfToken!, nickname: 'mallory', password: 'long enough password', confirm: 'long enough password', email: 'm@example.org' };
      const page = await visitor.postRaw('/main/register', body(fields, field, Buffer.from('%ED%A0%80')), FORM);
      assert.equal(page.status, 400, field);
      assert.match(page.text, new RegExp(`<p class="error" id="${field}-error">The field “${field}” could not be read`), field);
      if (field !== 'password') assert.match(page.text, new RegExp(`name="${field}" [^>]*value="[^"]*\uFFFD+ and more"`), field);
    }
    assert.equal(await count('users'), before);
  });

  it('sign-in is refused with the reason and the nickname as typed', async () => {
    const visitor = new WebClient(server.url);
    await visitor.get('/main/login');
    const page = await visitor.postRaw('/main/login', body({ _csrf: visitor.csrfToken!, nickname: 'alice', password: 'correct horse battery' }, 'nickname', Buffer.from([0xff])), FORM);
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /“nickname” could not be read/);
    assert.match(page.text, /name="nickname" value="alice\uFFFD and more"/);
    const password = await visitor.postRaw('/main/login', body({ _csrf: visitor.csrfToken!, nickname: 'alice', password: 'correct horse battery' }, 'password', Buffer.from('%C0%AF')), FORM);
    assert.equal(password.status, 400, 'a password with broken bytes is not tried');
    assert.doesNotMatch(password.text, /correct horse/, 'the password is never shown again');
  });

  it('profile settings are refused and shown again; nothing changes', async () => {
    await alice.get('/settings/profile');
    const page = await alice.postRaw('/settings/profile', body({ _csrf: alice.csrfToken!, fullname: 'Alice', bio: 'my bio ', location: '', homepage: '' }, 'bio', Buffer.from('%FF')), FORM);
    assert.equal(page.status, 400);
    assert.match(page.text, /my bio \uFFFD and more/);
    assert.equal((await db()('profiles').where({ nickname: 'alice' }).first()).bio, null);
  });

  it('a remote subscription form is shown again with the reason', async () => {
    const visitor = new WebClient(server.url);
    await visitor.get('/main/remote?nickname=alice');
    const page = await visitor.postRaw('/main/remote', body({ _csrf: visitor.csrfToken!, nickname: 'alice', profile_url: 'http://example.org/' }, 'profile_url', Buffer.from('%FE')), FORM);
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /“profile_url” could not be read/);
    const query = await visitor.get('/main/remote?nickname=%FFalice');
    assert.equal(query.status, 400);
    assert.match(query.text, /value="\uFFFDalice"/);
  });

  it('a multipart form with a field that is not UTF-8 is refused', async () => {
    await alice.get('/settings/avatar');
    const boundary = 'b0undary';
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${alice.csrfToken}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const page = await alice.postRaw('/settings/avatar', multipart, `multipart/form-data; boundary=${boundary}`);
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /not UTF-8/);
  });

  it('a form in another charset is refused with 415', async () => {
    await alice.get('/notice/new');
    const page = await alice.postRaw('/notice/new', Buffer.concat([Buffer.from(`_csrf=${alice.csrfToken}&content=caf`), Buffer.from([0xe9])]), `${FORM}; charset=iso-8859-1`);
    assert.equal(page.status, 415);
    const utf8 = await alice.postRaw('/notice/new', `_csrf=${alice.csrfToken}&content=caf%C3%A9+declared`, `${FORM}; charset=UTF-8`);
    assert.equal(utf8.status, 303, 'charset=UTF-8 is fine');
  });

  it('query strings: a search is refused with the reason and the text as typed', async () => {
    const page = await new WebClient(server.url).get('/search/notice?q=caf%C3%A9%ED%A0%80');
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /“q” could not be read/);
    assert.match(page.text, /value="café\uFFFD+"/);
    assert.equal((await new WebClient(server.url).get('/public?before=%FF')).status, 400);
  });
});

describe('invalid UTF-8 in paths', () => {
  it('is a 4xx, never a 500', async () => {
    for (const path of ['/%FF', '/%ED%A0%80/all', '/tag/%C0%AF', '/notice/%FF', '/alice/avatar/%FF', '/remote/%E2%82', '/search/notice/rss?q=%FF', '/%FF/xrds']) {
      const response = await fetch(`${server.url}${path}`);
      assert.ok(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
    }
  });
});

describe('invalid UTF-8 in OMB parameters', () => {
  async function post(path: string, payload: Buffer | string, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', body: payload, headers: { 'content-type': FORM, ...headers } });
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  it('a request token request with a parameter that is not UTF-8 is refused with 400 in plain text; no token is issued', async () => {
    const before = await count('omb_request_tokens');
    const signed = signRequest({ method: 'POST', url: `${server.url}/omb/requesttoken`, consumerKey: 'http://peer.example/', params: { omb_listener: aliceUri, omb_version: V } });
    for (const [what, bad] of BAD) {
      const answer = await post('/omb/requesttoken', Buffer.concat([Buffer.from(`${encodeForm(signed.params)}&omb_listener_nickname=x`), bad]));
      assert.equal(answer.status, 400, what);
      assert.match(answer.type, /^text\/plain/);
      assert.equal(answer.text, 'Parameter omb_listener_nickname is not valid UTF-8.', what);
    }
    const query = await post(`/omb/requesttoken?omb_version=%FF`, encodeForm(signed.params));
    assert.equal(query.status, 400);
    assert.equal(query.text, 'Parameter omb_version is not valid UTF-8.');
    assert.equal(await count('omb_request_tokens'), before);
  });

  it('a notice pushed with content that is not UTF-8 is refused before anything is stored', async () => {
    const before = await count('notices');
    const params = { omb_version: V, omb_listenee: 'http://peer.example/user/1', omb_notice: 'http://peer.example/notice/1', omb_notice_content: 'hi' };
    for (const [what, bad] of BAD) {
      const answer = await post('/omb/postnotice', Buffer.concat([Buffer.from(encodeForm(params)), bad]));
      assert.equal(answer.status, 400, what);
      assert.equal(answer.text, 'Parameter omb_notice_content is not valid UTF-8.', what);
    }
    assert.equal(await count('notices'), before);
  });

  it('an Authorization header with raw bytes or escapes that are not UTF-8 is refused', async () => {
    for (const value of ['%FF', '%ED%A0%80', 'caf\u00e9']) {
      const answer = await post('/omb/requesttoken', `omb_listener=${encodeURIComponent(aliceUri)}&omb_version=${encodeURIComponent(V)}`, {
        authorization: `OAuth realm="", oauth_consumer_key="${value}"`,
      });
      assert.equal(answer.status, 400, value);
      assert.match(answer.text, /oauth_consumer_key is not percent-encoded properly/, value);
    }
  });
});
