// Resolving someone on another server: @user@host over WebFinger (falling back to http on loopback,
// where there is no TLS), or an actor URL; private addresses only when allowed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LookupError, lookupRemoteActor, parseHandle } from '../../src/federation/activitypub/lookup.ts';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

let open: TestServer;
let closed: TestServer;
let peer: ApPeer;

before(async () => {
  [open, closed, peer] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer(), startApPeer()]);
});
after(async () => {
  await peer?.stop();
  await Promise.all([open?.stop(), closed?.stop()]);
});

describe('looking up a remote actor', () => {
  it('parses handles', () => {
    assert.deepEqual(parseHandle('@bob@Example.Social'), { user: 'bob', host: 'example.social' });
    assert.deepEqual(parseHandle('bob@127.0.0.1:3000'), { user: 'bob', host: '127.0.0.1:3000' });
    assert.equal(parseHandle('https://example.social/@bob'), undefined);
    assert.equal(parseHandle('@bob'), undefined);
  });

  it('resolves @user@host on a loopback server without TLS, and an actor URL', async () => {
    const byHandle = await lookupRemoteActor(open.runtime.ctx, `@peer@${peer.host}`);
    assert.equal(byHandle.id?.href, peer.actorUri('peer'));
    assert.equal(byHandle.inboxId?.href, `${peer.actorUri('peer')}/inbox`);
    const byUrl = await lookupRemoteActor(open.runtime.ctx, peer.actorUri('mallory'));
    assert.equal(byUrl.id?.href, peer.actorUri('mallory'));
  });

  it('refuses unknown people and things that are not actors', async () => {
    await assert.rejects(lookupRemoteActor(open.runtime.ctx, `@nobody@${peer.host}`), LookupError);
    await assert.rejects(lookupRemoteActor(open.runtime.ctx, 'not a handle'), LookupError);
    for (const other of [`acct:peer@${peer.host}`, `mailto:peer@${peer.host}`, 'javascript:alert(1)']) await assert.rejects(lookupRemoteActor(open.runtime.ctx, other), LookupError, other);
    await assert.rejects(lookupRemoteActor(open.runtime.ctx, `${peer.url}/nothing-here`), LookupError);
  });

  it('refuses loopback addresses unless ALLOW_PRIVATE_ADDRESSES is set', async () => {
    await assert.rejects(lookupRemoteActor(closed.runtime.ctx, `@peer@${peer.host}`), /refused to connect to 127.0.0.1/);
    await assert.rejects(lookupRemoteActor(closed.runtime.ctx, peer.actorUri('peer')), LookupError); // the fetch is refused, so no actor
  });
});
