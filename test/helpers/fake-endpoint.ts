// A stand-in for another server's postNotice/updateProfile endpoint: answers as told, records
// what it got, and can hold its answers back (a slow server) until released.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from './server.ts';

export const OMB_SUCCESS = 'omb_version=http://openmicroblogging.org/protocol/0.1';

export type FakeEndpoint = {
  url: string;
  host: string;
  received: URLSearchParams[];
  /** The answer to the next requests; a function decides per request. */
  answer: { status: number; body: string } | ((params: URLSearchParams) => { status: number; body: string });
  /** Requests being answered right now. */
  inFlight: number;
  /** The most requests that were being answered at once. */
  maxInFlight: number;
  /** Milliseconds to wait before answering. */
  delayMs: number;
  close(): void;
};

/** Starts a fake endpoint on a free loopback port (path /omb/postnotice). */
export async function startFakeEndpoint(): Promise<FakeEndpoint> {
  const endpoint = { received: [], answer: { status: 200, body: OMB_SUCCESS }, inFlight: 0, maxInFlight: 0, delayMs: 0 } as unknown as FakeEndpoint;
  const server = http.createServer((req, res) => {
    let body = '';
    endpoint.inFlight++;
    endpoint.maxInFlight = Math.max(endpoint.maxInFlight, endpoint.inFlight);
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      endpoint.received.push(params);
      const answer = typeof endpoint.answer === 'function' ? endpoint.answer(params) : endpoint.answer;
      setTimeout(() => {
        endpoint.inFlight--;
        res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
      }, endpoint.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.url = `http://${endpoint.host}/omb/postnotice`;
  endpoint.close = () => {
    server.closeAllConnections();
    server.close();
  };
  return endpoint;
}

/** Adds a remote listener of a local user whose server pushes go to `url` (the rows a finished subscription leaves). */
export async function addRemoteListener(server: TestServer, listenee: string, name: string, url: string): Promise<number> {
  const db = server.runtime.ctx.db;
  const { id: listeneeId } = await db('profiles').where({ nickname: listenee, is_local: true }).first();
  const origin = new URL(url).origin;
  const [{ id }] = await db('profiles').insert({ nickname: name, is_local: false, uri: `${origin}/user/${name}`, profile_url: `${origin}/${name}` }).returning('id');
  await db('subscriptions').insert({ subscriber_id: id, subscribed_id: listeneeId });
  await db('omb_remote_listeners').insert({ subscriber_id: id, subscribed_id: listeneeId, token: `t${name}`, secret: `s${name}`, postnotice_url: url, updateprofile_url: url });
  return id;
}
