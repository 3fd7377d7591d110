import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import { planOf } from '../helpers/query-plan.ts';
import { listRecentTags } from '../../src/db/tag-cloud.ts';
import { CLOUD_WINDOW } from '../../src/domain/tag-cloud.ts';

let server: TestServer;
let alice: WebClient;
const db = () => server.runtime.ctx.db;
const cloud = async () => {
  const page = await new WebClient(server.url).get('/tags');
  assert.equal(page.status, 200);
  return { page, tags: [...page.text.matchAll(/<a href="\/tag\/([^"]+)" class="tag-size-(\d)" rel="tag">/g)].map((m) => ({ tag: decodeURIComponent(m[1]!), size: Number(m[2]) })) };
};

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
});
after(() => server.stop());

describe('tag cloud', () => {
  it('says so when no tag has been used, and is linked from the navigation', async () => {
    const { page, tags } = await cloud();
    assert.deepEqual(tags, []);
    assert.match(textOf(page.text), /No tags have been used recently/);
    assert.match((await new WebClient(server.url).get('/')).text, /<a href="\/tags">Tags<\/a>/);
  });

  it('lists recent tags alphabetically, sized by how often and how recently they were used', async () => {
    for (let i = 0; i < 8; i++) await alice.post('/notice/new', { content: `busy day ${i} #popular`, returnto: '/' });
    await alice.post('/notice/new', { content: 'once #rare and #Café', returnto: '/' });
    await alice.post('/notice/new', { content: 'old news #stale', returnto: '/' });
    await alice.post('/notice/new', { content: 'ancient #forgotten', returnto: '/' });
    const stale = await db()('notices').where({ content: 'old news #stale' }).first('id');
    await db()('notices').where({ id: stale.id }).update({ created_at: db().raw("now() - interval '20 days'") });
    const forgotten = await db()('notices').where({ content: 'ancient #forgotten' }).first('id');
    await db()('notices').where({ id: forgotten.id }).update({ created_at: db().raw(`now() - interval '${CLOUD_WINDOW.days + 1} days'`) });

    const { page, tags } = await cloud();
    assert.deepEqual(tags.map((t) => t.tag), ['café', 'popular', 'rare', 'stale'], 'alphabetical, nothing older than the window');
    const size = (tag: string) => tags.find((t) => t.tag === tag)!.size;
    assert.equal(size('popular'), 5);
    assert.ok(size('rare') < size('popular'));
    assert.ok(size('stale') < size('rare'), 'an old use weighs less than a new one');
    assert.equal(size('stale'), 1);
    assert.match(page.text, /href="\/tag\/caf%C3%A9"/);
    assert.match(textOf(page.text), /#popular \(8 notices\)/);
    const tagPage = await new WebClient(server.url).get('/tag/caf%C3%A9');
    assert.equal(tagPage.status, 200);
  });

  it('forgets tags of deleted notices', async () => {
    const notice = await db()('notices').where({ content: 'once #rare and #Café' }).first('id');
    assert.equal((await alice.post(`/notice/delete/${notice.id}`, {})).status, 303);
    assert.deepEqual((await cloud()).tags.map((t) => t.tag), ['popular', 'stale']);
  });

  it('reads only the newest notices, through indexes', async () => {
    const plan = await planOf(db(), (d) => listRecentTags(d, CLOUD_WINDOW), ['enable_seqscan']);
    assert.match(plan, /Index Scan Backward using notices_pkey/, plan);
    assert.match(plan, /notice_tags/, plan);
    assert.doesNotMatch(plan, /Seq Scan/, plan);
  });
});
