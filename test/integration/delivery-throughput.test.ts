// Many remote servers, one notice: deliveries follow each other at once, not one per worker per
// polling interval.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

const SUCCESS = 'omb_version=http://openmicroblogging.org/protocol/0.1';
const PEERS = 30;

describe('delivery to many servers', () => {
  let server: TestServer;
  const peers: http.Server[] = [];
  const received: number[] = [];

  before(async () => {
    // A long polling interval: only a queue that moves on by itself delivers 30 notices in time.
    server = await startTestServer({ env: { ...FEDERATION_ENV, JOB_POLL_SECONDS: '20' } });
  });
  after(async () => {
    for (const peer of peers) {
      peer.closeAllConnections();
      peer.close();
    }
    await server?.stop();
  });

  it('reaches 30 servers within a few seconds although each worker polls only every 20 s', async () => {
    const alice = await registeredClient(server.url, 'alice');
    const db = server.runtime.ctx.db;
    const { id: aliceId } = await db('profiles').where({ nickname: 'alice', is_local: true }).first();
    for (let i = 0; i < PEERS; i++) {
      const peer = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received.push(i);
          res.writeHead(200, { 'content-type': 'text/plain' }).end(SUCCESS);
        });
      });
      await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
      peers.push(peer);
      const base = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
      const [{ id }] = await db('profiles').insert({ nickname: `peer${i}`, is_local: false, uri: `${base}/user/1`, profile_url: `${base}/peer` }).returning('id');
      await db('subscriptions').insert({ subscriber_id: id, subscribed_id: aliceId });
      await db('omb_remote_listeners').insert({ subscriber_id: id, subscribed_id: aliceId, token: `t${i}`, secret: `s${i}`, postnotice_url: `${base}/postnotice`, updateprofile_url: `${base}/updateprofile` });
    }
    const posted = await alice.post('/notice/new', { content: 'Hello, thirty servers', returnto: '/' });
    assert.equal(posted.status, 303);
    await waitFor('every server to receive the notice', async () => new Set(received).size === PEERS, 10_000);
  });
});
