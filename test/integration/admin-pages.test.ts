// The /admin pages: who may see them (every route, enumerated from the router), silencing,
// suspending, deleting any notice, and the audit log with its keyset paging.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Router } from 'express';
import { adminRoutes } from '../../src/web/routes/admin.ts';
import { requireAdmin } from '../../src/web/middleware/require-staff.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import type { WebClient as Client } from '../helpers/web-client.ts';
import { latestNoticeId, logCount, profileId, staffClient } from '../helpers/moderation.ts';

let server: TestServer;
let admin: Client;
let moderator: Client;
let bob: Client;
let eve: Client;

type RouteInfo = { method: 'get' | 'post'; path: string; adminOnly: boolean };

// Every route of the admin router, read from the router itself, so a route added later is tested too.
function adminRouteTable(): RouteInfo[] {
  const router = adminRoutes(server.runtime.ctx) as Router & { stack: { route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] } }[] };
  const routes: RouteInfo[] = [];
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const adminOnly = layer.route.stack.some((l) => l.handle === requireAdmin);
    for (const method of Object.keys(layer.route.methods)) {
      const path = `/admin${layer.route.path === '/' ? '' : layer.route.path}`
        .replace(':nickname', 'eve')
        .replace(':action', 'suspend')
        .replace(':id', '1');
      routes.push({ method: method as 'get' | 'post', path, adminOnly });
    }
  }
  return routes;
}

async function request(client: Client, route: RouteInfo) {
  return route.method === 'get' ? client.get(route.path) : client.post(route.path, { note: 'x', action: 'suspend' });
}

before(async () => {
  server = await startTestServer();
  admin = await staffClient(server, 'ada', 'admin');
  moderator = await staffClient(server, 'mod', 'moderator');
  bob = await registeredClient(server.url, 'bob');
  eve = await registeredClient(server.url, 'eve');
  await eve.post('/notice/new', { content: 'Buy cheap pills #deals eveword', returnto: '/' });
  await bob.post('/notice/new', { content: 'A report about the weather', returnto: '/' });
});
after(async () => server?.stop());

describe('who may use /admin', () => {
  it('finds the routes in the router (pages and actions, some for admins only)', () => {
    const routes = adminRouteTable();
    assert.ok(routes.length >= 14, JSON.stringify(routes));
    const adminOnly = routes.filter((r) => r.adminOnly).map((r) => `${r.method} ${r.path}`);
    for (const expected of ['get /admin/log', 'get /admin/invites', 'post /admin/invites', 'post /admin/registrations/eve/approve', 'post /admin/registrations/eve/reject']) {
      assert.ok(adminOnly.includes(expected), `${expected} is for admins only: ${adminOnly.join(', ')}`);
    }
  });

  it('sends visitors to the login page (pages) or answers 403 (actions)', async () => {
    const visitor = new WebClient(server.url);
    for (const route of adminRouteTable()) {
      const page = await request(visitor, route);
      if (route.method === 'get') {
        assert.equal(page.status, 303, `${route.method} ${route.path}`);
        assert.match(page.location!, /^\/main\/login\?returnto=/);
      } else assert.equal(page.status, 403, `${route.method} ${route.path}`);
    }
  });

  it('answers 403 to a signed-in person who is neither admin nor moderator, on every page and action, and changes nothing', async () => {
    const entries = await logCount(server);
    for (const route of adminRouteTable()) {
      const page = await request(bob, route);
      assert.equal(page.status, 403, `${route.method} ${route.path} answered ${page.status}`);
      assert.match(textOf(page.text), /Only the site’s admins and moderators can see this/);
    }
    assert.equal(await logCount(server), entries);
    const eveRow = await server.runtime.ctx.db('profiles').where({ nickname: 'eve' }).first();
    assert.equal(eveRow.suspended_at, null);
    assert.equal(await server.runtime.ctx.db('invites').count({ n: '*' }).then((r) => Number(r[0]!.n)), 0);
  });

  it('answers 403 to moderators on the admins-only routes, and shows moderators the rest', async () => {
    for (const route of adminRouteTable().filter((r) => r.adminOnly)) {
      assert.equal((await request(moderator, route)).status, 403, `${route.method} ${route.path}`);
    }
    for (const path of ['/admin', '/admin/reports', '/admin/reports?all=1', '/admin/registrations', '/admin/people/eve']) {
      assert.equal((await moderator.get(path)).status, 200, path);
    }
  });

  it('shows admins every page', async () => {
    for (const path of ['/admin', '/admin/reports', '/admin/registrations', '/admin/people/eve', '/admin/invites', '/admin/log', `/admin/notices/${await latestNoticeId(server, 'eve')}/delete`]) {
      const page = await admin.get(path);
      assert.equal(page.status, 200, `${path}: ${textOf(page.text).slice(0, 300)}`);
    }
    assert.match((await admin.get('/')).text, /href="\/admin"/, 'the navigation links to the admin pages');
    assert.doesNotMatch((await bob.get('/')).text, /href="\/admin"/);
  });

  it('refuses actions without the CSRF token', async () => {
    const page = await admin.post('/admin/people/eve/silence', { _csrf: null, note: '' });
    assert.equal(page.status, 403);
    assert.equal((await server.runtime.ctx.db('profiles').where({ nickname: 'eve' }).first()).silenced_at, null);
  });
});

describe('silencing', () => {
  it('keeps a person’s notices off the public timeline, tag pages, search and public feeds until undone', async () => {
    const id = await latestNoticeId(server, 'eve');
    const visitor = new WebClient(server.url);
    const visible = async () => ({
      public: noticeIds((await visitor.get('/')).text).includes(id),
      tag: (await visitor.get('/tag/deals')).status === 200,
      search: noticeIds((await visitor.get('/search/notice?q=eveword')).text).includes(id),
      rss: (await visitor.get('/rss')).text.includes('eveword'),
      tagFeed: (await visitor.get('/tag/deals/rss')).text.includes('eveword'),
      profile: noticeIds((await visitor.get('/eve')).text).includes(id),
    });
    assert.deepEqual(await visible(), { public: true, tag: true, search: true, rss: true, tagFeed: true, profile: true });

    const page = await moderator.post('/admin/people/eve/silence', { note: 'spam' });
    assert.equal(page.status, 303);
    assert.match(textOf((await moderator.get('/admin/people/eve')).text), /State silenced/);
    assert.deepEqual(await visible(), { public: false, tag: false, search: false, rss: false, tagFeed: false, profile: true });
    // Silenced people still post, and still sign in.
    assert.equal((await eve.post('/notice/new', { content: 'still here', returnto: '/' })).status, 303);

    assert.equal((await moderator.post('/admin/people/eve/unsilence', { note: '' })).status, 303);
    assert.deepEqual(await visible(), { public: true, tag: true, search: true, rss: true, tagFeed: true, profile: true });
  });
});

describe('suspending', () => {
  it('signs the person out, refuses their sign-in, answers 410 for their pages and notices, and is undone', async () => {
    const id = await latestNoticeId(server, 'eve');
    const visitor = new WebClient(server.url);
    assert.equal((await bob.post('/main/subscribe', { subscribeto: 'eve', returnto: '/' })).status, 303);
    assert.match((await visitor.get('/bob/subscriptions')).text, /href="\/eve"/);
    assert.match((await visitor.get('/search/people?q=eve')).text, /href="\/eve"/);
    assert.equal((await admin.post('/admin/people/eve/suspend', { note: 'spam run' })).status, 303);
    assert.doesNotMatch((await visitor.get('/bob/subscriptions')).text, /href="\/eve"/, 'gone from people lists');
    assert.doesNotMatch((await visitor.get('/search/people?q=eve')).text, /href="\/eve"/, 'and from people search');

    const home = await eve.get('/eve/all');
    assert.equal(home.status, 410, 'the session is over, and the page is gone');
    assert.equal((await eve.post('/notice/new', { content: 'after suspension', returnto: '/' })).status, 403);
    for (const path of ['/eve', `/notice/${id}`, '/eve/rss', '/eve/subscribers']) {
      const page = await visitor.get(path);
      assert.equal(page.status, 410, path);
      assert.match(textOf(page.text), /suspended|removed/);
    }
    assert.ok(!noticeIds((await visitor.get('/')).text).includes(id));
    assert.ok(!noticeIds((await bob.get('/bob/all')).text).includes(id));

    const again = new WebClient(server.url);
    await again.get('/main/login');
    const login = await again.post('/main/login', { nickname: 'eve', password: 'correct horse battery' });
    assert.equal(login.status, 403);
    assert.match(textOf(login.text), /This account has been suspended/);
    const wrong = await again.post('/main/login', { nickname: 'eve', password: 'wrong password here' });
    assert.equal(wrong.status, 401, 'the suspension is told only to someone who knows the password');

    assert.equal((await admin.post('/admin/people/eve/unsuspend', { note: '' })).status, 303);
    assert.equal((await visitor.get('/eve')).status, 200);
    assert.equal((await again.post('/main/login', { nickname: 'eve', password: 'correct horse battery' })).status, 303);
    eve = again;
    await eve.get('/eve/all');
  });

  it('lets only admins act on staff, and nobody on themselves', async () => {
    assert.equal((await moderator.post('/admin/people/ada/suspend', { note: '' })).status, 403);
    assert.equal((await moderator.post('/admin/people/mod/silence', { note: '' })).status, 403);
    assert.equal((await admin.post('/admin/people/ada/suspend', { note: '' })).status, 403);
    assert.equal((await server.runtime.ctx.db('profiles').where({ nickname: 'ada' }).first()).suspended_at, null);
  });

  it('answers 404 for unknown people and actions, 400 for an overlong note, and writes nothing', async () => {
    const entries = await logCount(server);
    assert.equal((await admin.post('/admin/people/nobody/suspend', { note: '' })).status, 404);
    assert.equal((await admin.post('/admin/people/eve/obliterate', { note: '' })).status, 404);
    const long = await admin.post('/admin/people/eve/suspend', { note: 'n'.repeat(501) });
    assert.equal(long.status, 400);
    assert.match(textOf(long.text), /The note is too long/);
    assert.equal(await logCount(server), entries);
    assert.equal((await server.runtime.ctx.db('profiles').where({ nickname: 'eve' }).first()).suspended_at, null);
  });
});

describe('deleting any notice', () => {
  it('lets a moderator delete someone’s notice, logged; ordinary people still cannot', async () => {
    const id = await latestNoticeId(server, 'bob');
    assert.equal((await eve.post(`/notice/delete/${id}`, {})).status, 403);
    const confirm = await moderator.get(`/admin/notices/${id}/delete`);
    assert.match(textOf(confirm.text), /A report about the weather/);
    assert.equal((await moderator.post(`/admin/notices/${id}/delete`, { note: 'off topic' })).status, 303);
    assert.equal((await server.runtime.ctx.db('notices').where({ id }).first()), undefined);
    assert.equal((await moderator.post(`/admin/notices/${id}/delete`, { note: '' })).status, 404);
    const log = await admin.get('/admin/log');
    assert.match(textOf(log.text), new RegExp(`mod delete-notice bob \\(notice ${id}\\) off topic`));
  });

  it('logs an admin’s deletion of someone else’s notice from the notice’s own page', async () => {
    await bob.post('/notice/new', { content: 'Second thoughts', returnto: '/' });
    const id = await latestNoticeId(server, 'bob');
    assert.equal((await admin.post(`/notice/delete/${id}`, {})).status, 303);
    assert.match(textOf((await admin.get('/admin/log')).text), /ada delete-notice bob \(notice \d+\) “Second thoughts”/);
  });
});

describe('the audit log', () => {
  it('lists who did what to whom, newest first, in keyset pages', async () => {
    const text = textOf((await admin.get('/admin/log')).text);
    assert.match(text, /mod silence eve spam/);
    assert.match(text, /ada suspend eve spam run/);
    assert.ok(text.indexOf('unsuspend') < text.indexOf('spam run'), 'newest first');

    const actor = await profileId(server, 'ada');
    await server.runtime.ctx.db('moderation_log').insert(Array.from({ length: 60 }, (_, i) => ({ actor_id: actor, actor_name: 'ada', action: 'silence', target_name: `filler${i}`, note: '' })));
    const first = await admin.get('/admin/log');
    const older = /href="(\/admin\/log\?before=\d+)"/.exec(first.text)?.[1];
    assert.ok(older, 'a link to older entries');
    assert.equal((first.text.match(/class="log-entry"/g) ?? []).length, 50);
    const second = await admin.get(older);
    assert.equal(second.status, 200);
    assert.match(textOf(second.text), /mod silence eve spam/);
    assert.doesNotMatch(textOf(second.text), /filler59/);
    assert.equal((await admin.get('/admin/log?before=x')).status, 400);
  });
});
