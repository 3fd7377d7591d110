// Inbox checks through the real inbox, one test each, beside ap-inbox.test.ts (bad signature, wrong
// key owner, stale date, digest mismatch, oversized body): an object embedded from another origin
// than its actor's is fetched from its own origin and never trusted; the same signed request
// delivered five times stores one notice; an actor on a private address is refused, unfetched,
// where private addresses are not allowed.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, OutboundError } from '../../src/federation/http-client.ts';
import type { HttpClient } from '../../src/federation/http-client.ts';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

const AS = 'https://www.w3.org/ns/activitystreams';

let server: TestServer;
let closed: TestServer;
let peer: ApPeer;
// Another origin, serving one note credited to the peer's actor, and recording what it is asked.
let elsewhere: http.Server;
let elsewhereUrl: string;
const elsewhereAsked: string[] = [];
// What the server that allows no private addresses tried to fetch, and why each failed.
const closedTried: { url: string; failure: string | undefined }[] = [];

function recordingClosedClient(): HttpClient {
  const inner = createHttpClient({ allowPrivateAddresses: false });
  return {
    async request(url, init) {
      const tried: { url: string; failure: string | undefined } = { url, failure: undefined };
      closedTried.push(tried);
      try {
        return await inner.request(url, init);
      } catch (error) {
        tried.failure = error instanceof OutboundError ? error.kind : String(error);
        throw error;
      }
    },
  };
}

function create(activityId: string, noteId: string, content: string): Record<string, unknown> {
  const actor = peer.actorUri('peer');
  return { '@context': AS, id: activityId, type: 'Create', actor, to: [`${AS}#Public`], object: { id: noteId, type: 'Note', attributedTo: actor, content, to: [`${AS}#Public`] } };
}

async function noticeCount(target: TestServer, where: Record<string, string> = {}): Promise<number> {
  return (await target.runtime.ctx.db('notices').where(where)).length;
}

before(async () => {
  peer = await startApPeer();
  elsewhere = http.createServer((req, res) => {
    elsewhereAsked.push(`${req.method} ${req.url}`);
    const note = { '@context': AS, id: `${elsewhereUrl}${req.url}`, type: 'Note', attributedTo: peer.actorUri('peer'), content: 'as its own server serves it' };
    res.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(note));
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  [server, closed] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ httpClient: recordingClosedClient() })]);
  const [alice] = await Promise.all([registeredClient(server.url, 'alice'), registeredClient(closed.url, 'carol')]);
  peer.answers.set('peer', 'accept');
  await alice.post('/main/follow', { handle: peer.actorUri('peer') });
  await waitFor('alice follows the peer', async () => (await server.runtime.ctx.db('subscriptions')).length === 1);
});
after(async () => {
  await peer?.stop();
  await Promise.all([server?.stop(), closed?.stop()]);
  await new Promise((resolve) => elsewhere?.close(resolve));
});

describe('inbox checks, one each', () => {
  it('fetches an object embedded from another origin than its actor from its own origin, never trusting the copy', async () => {
    // Once inside the actor's own Create, once inside a Create whose id is on the object's origin
    // (Fedify alone would trust that one: it compares with the activity's id, not the actor's).
    const cases = [
      create(`${peer.actorUri('peer')}/creates/1`, `${elsewhereUrl}/notes/1`, 'forged embedded copy'),
      create(`${elsewhereUrl}/creates/2`, `${elsewhereUrl}/notes/2`, 'forged embedded copy'),
    ];
    for (const [index, activity] of cases.entries()) {
      const response = await peer.signedPost('peer', `${server.url}/inbox`, JSON.stringify(activity));
      assert.ok(response.status < 300, String(response.status));
      assert.ok(elsewhereAsked.includes(`GET /notes/${index + 1}`), `note ${index + 1} was fetched from its own origin: ${elsewhereAsked.join(', ')}`);
    }
    assert.equal(await noticeCount(server, { content: 'forged embedded copy' }), 0, 'the embedded copy is never stored');
    // What its own origin serves is judged as any notice: off its author's site, it is refused too.
    assert.equal(await noticeCount(server), 0);
  });

  it('stores one notice when the same signed request is delivered five times', async () => {
    const body = JSON.stringify(create(`${peer.actorUri('peer')}/creates/3`, `${peer.actorUri('peer')}/notes/3`, '<p>Said once</p>'));
    const headers = await peer.signedHeaders('peer', `${server.url}/inbox`, body);
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/inbox`, { method: 'POST', headers, body });
      assert.ok(response.status < 300, `delivery ${i + 1} answered ${response.status}`);
    }
    assert.equal(await noticeCount(server, { uri: `${peer.actorUri('peer')}/notes/3` }), 1);
    assert.equal(await noticeCount(server, { content: 'Said once' }), 1);
  });

  it('refuses an actor on a private address where those are not allowed, without fetching anything', async () => {
    const peerRequestsBefore = peer.requests.length;
    const follow = { '@context': AS, id: `${peer.actorUri('peer')}#follows/closed`, type: 'Follow', actor: peer.actorUri('peer'), object: `${closed.url}/users/carol` };
    const response = await peer.signedPost('peer', `${closed.url}/users/carol/inbox`, JSON.stringify(follow));
    assert.equal(response.status, 401, await response.text());
    const tried = closedTried.filter((t) => t.url.startsWith(peer.url));
    assert.ok(tried.length >= 1, 'the key was asked for');
    for (const attempt of tried) assert.equal(attempt.failure, 'blocked', `${attempt.url} was refused before connecting`);
    assert.equal(peer.requests.length, peerRequestsBefore, 'the peer was never contacted');
    const counts = (await closed.runtime.ctx.db.raw('SELECT (SELECT count(*) FROM subscriptions)::int AS s, (SELECT count(*) FROM profiles WHERE NOT is_local)::int AS p')).rows[0];
    assert.deepEqual(counts, { s: 0, p: 0 }, 'nothing stored');
  });
});
