// Pictures over OMB 0.1, which carries plain text only: bob's notices with pictures reach alice's
// server as text ending in links to the pictures' pages on bob's server, within 140 characters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { filePart, stripedImage } from '../helpers/images.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A, listening
let bob: WebClient; // on B, posting

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
  assert.equal(finish.status, 303, textOf(finish.text));
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function postPictures(content: string, count: number): Promise<number[]> {
  await bob.get('/notice/new');
  const form = new FormData();
  form.append('content', content);
  form.append('returnto', '/');
  for (let i = 1; i <= count; i++) {
    form.append(`picture${i}`, filePart(await stripedImage('png', 60 + i, 40), `p${i}.png`, 'image/png'));
    form.append(`alt${i}`, `Picture number ${i}`);
  }
  const page = await bob.postMultipart('/notice/new', form);
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
  const notice = await b.runtime.ctx.db('notices').orderBy('id', 'desc').first();
  return (await b.runtime.ctx.db('notice_attachments').where({ notice_id: notice.id }).orderBy('position')).map((r: { id: number }) => r.id);
}

async function receivedOnA(uriEnd: number): Promise<{ content: string; rendered: string }> {
  let notice: { content: string; rendered: string } | undefined;
  await waitFor('the push on A', async () => (notice = await a.runtime.ctx.db('notices').where({ uri: `${b.url}/notice/${uriEnd}` }).first()) !== undefined, 20_000);
  return notice!;
}

const latestOnB = async () => (await b.runtime.ctx.db('notices').orderBy('id', 'desc').first()).id as number;

describe('pictures over OMB', () => {
  it('appends links to the pictures’ pages to the pushed text', async () => {
    const ids = await postPictures('Our garden in May', 2);
    const notice = await receivedOnA(await latestOnB());
    assert.equal(notice.content, `Our garden in May ${b.url}/attachment/${ids[0]} ${b.url}/attachment/${ids[1]}`);
    assert.ok([...notice.content].length <= 140);
    // Fanned out to her home timeline by a job: the links are links there.
    await waitFor('the notice in alice’s home timeline', async () => (await alice.get('/alice/all')).text.includes(`href="${b.url}/attachment/${ids[0]}"`));
    const pictureOnB = await fetch(`${b.url}/attachment/${ids[0]}`);
    assert.equal(pictureOnB.status, 200);
    assert.match(await pictureOnB.text(), /alt="Picture number 1"/);
  });

  it('sends a notice of pictures alone as its links', async () => {
    const ids = await postPictures('', 1);
    const notice = await receivedOnA(await latestOnB());
    assert.equal(notice.content, `${b.url}/attachment/${ids[0]}`);
  });

  it('shortens long text to keep the pushed notice within 140 characters', async () => {
    const text = 'A long day at the allotment, digging, weeding, planting beans and watching the blackbirds steal every worm we turned up, then rain.';
    assert.ok([...text].length > 120);
    const ids = await postPictures(text, 1);
    const notice = await receivedOnA(await latestOnB());
    const link = `${b.url}/attachment/${ids[0]}`;
    assert.equal([...notice.content].length, 140);
    assert.ok(notice.content.endsWith(`… ${link}`), notice.content);
    assert.ok(text.startsWith(notice.content.slice(0, notice.content.indexOf('…'))));
  });
});
