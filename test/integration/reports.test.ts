// Reports: the form on notices and profiles, its checks, the moderators' view, closing with an
// action, and the per-person daily limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { latestNoticeId, logCount, profileId, staffClient } from '../helpers/moderation.ts';

let server: TestServer;
let admin: WebClient;
let bob: WebClient;
let eve: WebClient;

const reports = () => server.runtime.ctx.db('reports').orderBy('id');

before(async () => {
  server = await startTestServer({ env: { REPORTS_PER_DAY: '4' } });
  admin = await staffClient(server, 'ada', 'admin');
  bob = await registeredClient(server.url, 'bob');
  eve = await registeredClient(server.url, 'eve');
  await eve.post('/notice/new', { content: 'Buy cheap pills now', returnto: '/' });
});
after(async () => server?.stop());

describe('the report form', () => {
  it('is linked from every notice and profile for signed-in people (not on their own)', async () => {
    const id = await latestNoticeId(server, 'eve');
    assert.match((await bob.get('/')).text, new RegExp(`href="/main/report\\?notice=${id}"`));
    assert.match((await bob.get('/eve')).text, new RegExp(`href="/main/report\\?profile=${await profileId(server, 'eve')}"`));
    assert.doesNotMatch((await eve.get('/eve')).text, /\/main\/report/);
    const visitor = await import('../helpers/web-client.ts').then((m) => new m.WebClient(server.url));
    assert.doesNotMatch((await visitor.get('/')).text, /\/main\/report/);
    assert.equal((await visitor.get(`/main/report?notice=${id}`)).status, 303, 'visitors are sent to sign in');
  });

  it('shows the notice and the person, and files a report with a reason and a comment', async () => {
    const id = await latestNoticeId(server, 'eve');
    const form = await bob.get(`/main/report?notice=${id}`);
    assert.equal(form.status, 200);
    assert.match(textOf(form.text), /Report eve/);
    assert.match(textOf(form.text), /Buy cheap pills now/);
    const sent = await bob.post('/main/report', { profile: '', notice: String(id), reason: 'spam', comment: 'Every hour, the same.' });
    assert.equal(sent.status, 200);
    assert.match(textOf(sent.text), /Report sent/);
    const [row] = await reports();
    assert.equal(Number(row.reporter_id), await profileId(server, 'bob'));
    assert.equal(Number(row.target_id), await profileId(server, 'eve'));
    assert.equal(Number(row.notice_id), id);
    assert.deepEqual([row.reason, row.comment, row.closed_at], ['spam', 'Every hour, the same.', null]);
  });

  it('shows the form again with what was typed on bad input, and stores nothing', async () => {
    const count = (await reports()).length;
    const target = String(await profileId(server, 'eve'));
    const noReason = await bob.post('/main/report', { profile: target, notice: '', reason: '', comment: 'typed <text>' });
    assert.equal(noReason.status, 400);
    assert.match(textOf(noReason.text), /Choose a reason from the list/);
    assert.match(noReason.text, />typed &lt;text&gt;<\/textarea>/);
    const badReason = await bob.post('/main/report', { profile: target, notice: '', reason: 'boredom', comment: '' });
    assert.equal(badReason.status, 400);
    const long = await bob.post('/main/report', { profile: target, notice: '', reason: 'abuse', comment: 'x'.repeat(1001) });
    assert.equal(long.status, 400);
    assert.match(textOf(long.text), /The comment is too long: 1001 characters, at most 1000/);
    assert.match(long.text, /id="reason-abuse" name="reason" value="abuse" required checked/);
    const self = await bob.post('/main/report', { profile: String(await profileId(server, 'bob')), notice: '', reason: 'spam', comment: '' });
    assert.equal(self.status, 400);
    assert.match(textOf(self.text), /You cannot report yourself/);
    const mismatch = await bob.post('/main/report', { profile: String(await profileId(server, 'ada')), notice: String(await latestNoticeId(server, 'eve')), reason: 'spam', comment: '' });
    assert.equal(mismatch.status, 400);
    assert.equal((await bob.post('/main/report', { profile: '999999', notice: '', reason: 'spam', comment: '' })).status, 404);
    assert.equal((await bob.post('/main/report', { profile: 'x', notice: '', reason: 'spam', comment: '' })).status, 404);
    assert.equal((await bob.get('/main/report?notice=999999')).status, 404);
    assert.equal((await bob.post('/main/report', { profile: target, notice: '', reason: 'spam', comment: '', _csrf: null })).status, 403);
    assert.equal((await reports()).length, count);
  });

  it('stores a report about a remote person', async () => {
    const [remote] = await server.runtime.ctx.db('profiles')
      .insert({ nickname: 'spammer', is_local: false, uri: 'https://remote.example/spammer', profile_url: 'https://remote.example/spammer' })
      .returning('id');
    assert.match((await bob.get(`/remote/${remote.id}`)).text, new RegExp(`href="/main/report\\?profile=${remote.id}"`), 'linked from their page here');
    const page = await bob.post('/main/report', { profile: String(remote.id), notice: '', reason: 'spam', comment: 'from elsewhere' });
    assert.equal(page.status, 200);
    const row = (await reports()).at(-1);
    assert.equal(Number(row.target_id), Number(remote.id));
    const view = await admin.get(`/admin/reports/${row.id}`);
    assert.match(textOf(view.text), /spammer \(on another server\)/);
    const silence = await admin.post(`/admin/reports/${row.id}/close`, { action: 'silence', note: '' });
    assert.equal(silence.status, 303, 'remote people are silenced from here too');
    assert.notEqual((await server.runtime.ctx.db('profiles').where({ id: remote.id }).first()).silenced_at, null);
  });
});

describe('closing reports', () => {
  it('shows moderators the reporter, the target and the notice, and closes with deleting the notice', async () => {
    const [report] = await reports();
    const list = textOf((await admin.get('/admin/reports')).text);
    assert.match(list, new RegExp(`#${report.id} eve \\(notice ${report.notice_id}\\) bob Spam`));
    const page = textOf((await admin.get(`/admin/reports/${report.id}`)).text);
    assert.match(page, /Reported eve/);
    assert.match(page, /By bob/);
    assert.match(page, /Buy cheap pills now/);
    assert.match(page, /Every hour, the same\./);

    const bad = await admin.post(`/admin/reports/${report.id}/close`, { action: 'explode', note: 'my note' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, />my note<\/textarea>/);
    const entries = await logCount(server);
    assert.equal((await admin.post(`/admin/reports/${report.id}/close`, { action: 'delete-notice', note: '' })).status, 303);
    assert.equal(await server.runtime.ctx.db('notices').where({ id: report.notice_id }).first(), undefined);
    const closed = await server.runtime.ctx.db('reports').where({ id: report.id }).first();
    assert.equal(closed.action, 'delete-notice');
    assert.equal(Number(closed.closed_by), await profileId(server, 'ada'));
    assert.equal(await logCount(server), entries + 1);
    assert.equal((await admin.post(`/admin/reports/${report.id}/close`, { action: 'none', note: '' })).status, 409);
    assert.doesNotMatch(textOf((await admin.get('/admin/reports')).text), new RegExp(`#${report.id} `), 'closed reports leave the open list');
    assert.match(textOf((await admin.get('/admin/reports?all=1')).text), new RegExp(`#${report.id} .*Closed: Delete the notice`));
  });

  it('closes with suspending the person', async () => {
    await bob.post('/main/report', { profile: String(await profileId(server, 'eve')), notice: '', reason: 'abuse', comment: '' });
    const report = (await reports()).at(-1);
    assert.equal((await admin.post(`/admin/reports/${report.id}/close`, { action: 'suspend', note: 'enough' })).status, 303);
    assert.notEqual((await server.runtime.ctx.db('profiles').where({ nickname: 'eve' }).first()).suspended_at, null);
    assert.match(textOf((await admin.get('/admin/log')).text), /ada close-report:suspend eve enough/);
  });
});

describe('the daily report limit', () => {
  it('answers 429 with Retry-After and a time to try again once a person has sent as many as allowed', async () => {
    const target = String(await profileId(server, 'ada'));
    // Bob has sent three reports so far (the refused ones do not count); four are allowed a day.
    assert.equal((await bob.post('/main/report', { profile: target, notice: '', reason: 'other', comment: '' })).status, 200);
    const page = await bob.post('/main/report', { profile: target, notice: '', reason: 'other', comment: '' });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 80_000, page.headers.get('retry-after') ?? 'no Retry-After');
    assert.match(textOf(page.text), /You have sent 4 reports today, as many as this site allows\. Try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const other = await registeredClient(server.url, 'carl');
    assert.equal((await other.post('/main/report', { profile: target, notice: '', reason: 'other', comment: '' })).status, 200, 'the limit is per person');
  });
});
