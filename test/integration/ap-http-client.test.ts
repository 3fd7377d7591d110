// Every request the ActivityPub module makes to another server goes through the HTTP client the
// site was given (the one with the address policy), so a test can record them: the handle's
// WebFinger lookup, the actor fetch and the Follow delivery all show up in the recording client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { recordingHttpClient } from '../helpers/outbound.ts';
import type { RecordingHttpClient } from '../helpers/outbound.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let http: RecordingHttpClient;

before(async () => {
  http = recordingHttpClient();
  server = await startTestServer({ env: FEDERATION_ENV, httpClient: http });
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('the ActivityPub module\'s outbound requests', () => {
  it('go through the site\'s HTTP client: WebFinger, the actor, the Follow', async () => {
    const alice = await registeredClient(server.url, 'alice');
    await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
    await waitFor('the Follow at the peer', async () => peer.received.some((activity) => activity.type === 'Follow'));
    const seen = http.requests.map((request) => `${request.method} ${request.url}`);
    assert.ok(seen.some((line) => line.startsWith(`GET ${peer.url}/.well-known/webfinger?resource=`)), seen.join('\n'));
    assert.ok(seen.includes(`GET ${peer.actorUri('peer')}`), seen.join('\n'));
    assert.ok(seen.some((line) => line.startsWith(`POST ${peer.url}/`) && line.includes('inbox')), seen.join('\n'));
  });
});
