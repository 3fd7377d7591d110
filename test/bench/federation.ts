// The write side of the benchmark: a post by the popular user reaching 10,000 home timelines and
// 100 remote OMB receivers (stubs on loopback), and inbound signed postNotice requests and signed
// ActivityPub Create activities.
// ActivityPub receivers join through the same stub set once that protocol exists (see StubProtocol).
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { signIn } from './sessions.ts';

const NODE = path.resolve(import.meta.dirname, '../../node_modules/.bin/node');

/** How a stub answers: at once, after a delay, or never (it holds the connection open). */
export type StubBehaviour = { kind: 'instant' } | { kind: 'delayed'; ms: number } | { kind: 'silent' };
/** The protocols a remote subscriber may speak; 'activitypub' joins here when it exists. */
export type StubProtocol = 'omb';

type Stub = { port: number; protocol: StubProtocol; behaviour: StubBehaviour; acks: number[]; server: http.Server };

/** Remote receivers on loopback, one port (so one host, as the delivery queue groups them) each. */
export async function startStubs(count: number, protocol: StubProtocol = 'omb'): Promise<{ stubs: Stub[]; stop(): Promise<void> }> {
  const stubs: Stub[] = [];
  for (let i = 0; i < count; i++) {
    const stub: Stub = { port: 0, protocol, behaviour: { kind: 'instant' }, acks: [], server: undefined as unknown as http.Server };
    stub.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = () => {
          stub.acks.push(Date.now());
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('omb_version=http://openmicroblogging.org/protocol/0.1');
        };
        if (stub.behaviour.kind === 'instant') answer();
        else if (stub.behaviour.kind === 'delayed') setTimeout(answer, stub.behaviour.ms);
        // silent: never answers; the sender's timeout has to end it
      });
    });
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    stub.port = (stub.server.address() as AddressInfo).port;
    stubs.push(stub);
  }
  return {
    stubs,
    async stop() {
      for (const stub of stubs) {
        stub.server.closeAllConnections();
        await new Promise((resolve) => stub.server.close(resolve));
      }
    },
  };
}

/** Makes each stub a remote OMB listener of `listeneeId` (profile, subscription and listener rows). */
export async function subscribeStubs(db: pg.Client, listeneeId: number, stubs: Stub[]): Promise<void> {
  for (const [i, stub] of stubs.entries()) {
    const base = `http://127.0.0.1:${stub.port}`;
    const { rows } = await db.query(`INSERT INTO profiles (nickname, is_local, uri, profile_url) VALUES ($1, false, $2, $3) RETURNING id`, [
      `stub${i}`,
      `${base}/user/1`,
      `${base}/stub${i}`,
    ]);
    const id = rows[0].id as number;
    await db.query('INSERT INTO subscriptions (subscriber_id, subscribed_id) VALUES ($1, $2)', [id, listeneeId]);
    await db.query(
      `INSERT INTO omb_remote_listeners (subscriber_id, subscribed_id, token, secret, postnotice_url, updateprofile_url) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, listeneeId, `token${i}`, `secret${i}`, `${base}/postnotice`, `${base}/updateprofile`],
    );
  }
}

async function csrfToken(baseUrl: string, cookie: string): Promise<string> {
  const html = await (await fetch(`${baseUrl}/`, { headers: { cookie } })).text();
  const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!token) throw new Error('no CSRF token on the public timeline of a signed-in user');
  return token;
}

export type FanOutResult = { homeTimelines: number; homeMs: number; remoteAcked: number; remoteMs: Record<string, number>; silentAcked: number };

/**
 * Posts as `authorId` through the web form and times the notice's arrival in every local follower's
 * home timeline and at every answering stub (stubs behave as `behaviours` says, by index).
 */
export async function timeFanOut(db: pg.Client, baseUrl: string, authorId: number, stubs: Stub[], behaviours: (i: number) => StubBehaviour, label: string): Promise<FanOutResult> {
  stubs.forEach((stub, i) => {
    stub.behaviour = behaviours(i);
    stub.acks = [];
  });
  const cookie = await signIn(db, authorId);
  const token = await csrfToken(baseUrl, cookie);
  const { rows: followers } = await db.query('SELECT count(*)::int AS n FROM subscriptions s JOIN users u ON u.id = s.subscriber_id WHERE s.subscribed_id = $1', [authorId]);
  const expected = followers[0].n as number;
  const started = Date.now();
  const response = await fetch(`${baseUrl}/notice/new`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, content: `Benchmark post ${label} at ${new Date(started).toISOString()}`, returnto: '/' }),
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`posting answered ${response.status}: ${await response.text()}`);
  const { rows } = await db.query('SELECT max(id)::int AS id FROM notices WHERE profile_id = $1', [authorId]);
  const noticeId = rows[0].id as number;
  let homeMs = NaN;
  let count = 0;
  const answering = stubs.filter((s) => s.behaviour.kind !== 'silent');
  const deadline = started + 30_000;
  while (Date.now() < deadline) {
    if (Number.isNaN(homeMs)) {
      const { rows: c } = await db.query('SELECT count(*)::int AS n FROM home_timeline_entries WHERE notice_id = $1 AND user_id <> $2', [noticeId, authorId]);
      count = c[0].n as number;
      if (count >= expected) homeMs = Date.now() - started;
    }
    if (!Number.isNaN(homeMs) && answering.every((s) => s.acks.length > 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const remoteMs: Record<string, number> = {};
  for (const stub of answering) {
    const kind = stub.behaviour.kind === 'delayed' ? `${stub.behaviour.ms} ms stubs` : 'instant stubs';
    const at = stub.acks[0] === undefined ? NaN : stub.acks[0] - started;
    remoteMs[kind] = Math.max(remoteMs[kind] ?? 0, Number.isNaN(at) ? Infinity : at);
  }
  return {
    homeTimelines: count,
    homeMs,
    remoteAcked: answering.filter((s) => s.acks.length > 0).length,
    remoteMs,
    silentAcked: stubs.filter((s) => s.behaviour.kind === 'silent' && s.acks.length > 0).length,
  };
}

export type InboundResult = { validPerSecond: number; valid: { sent: number; statuses: Record<string, number>; stored: number }; bad: { sent: number; statuses: Record<string, number>; writes: number } };

function runPoster(options: Record<string, unknown>): Promise<{ sent: number; seconds: number; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [path.join(import.meta.dirname, 'post-notices.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('BENCH-JSON '));
      if (code !== 0 || !line) return reject(new Error(`post-notices failed (${code}): ${output}`));
      resolve(JSON.parse(line.slice(11)));
    });
  });
}

/**
 * A remote peer that `localSubscribers` local users follow pushes signed postNotice requests for
 * `seconds`: valid ones must all be stored; then spoiled signatures must all be refused with no write.
 */
export async function timeInbound(db: pg.Client, publicUrl: string, localSubscribers: number[], seconds: number): Promise<InboundResult> {
  const peer = 'http://127.0.0.1:9/';
  const listeneeUri = `${peer}user/1`;
  const { rows } = await db.query(`INSERT INTO profiles (nickname, is_local, uri, profile_url) VALUES ('peer', false, $1, $2) RETURNING id`, [listeneeUri, `${peer}peer`]);
  const peerId = rows[0].id as number;
  for (const id of localSubscribers) await db.query('INSERT INTO subscriptions (subscriber_id, subscribed_id) VALUES ($1, $2)', [id, peerId]);
  await db.query('INSERT INTO omb_consumers (consumer_key) VALUES ($1) ON CONFLICT DO NOTHING', [peer]);
  await db.query(`INSERT INTO omb_access_tokens (token, secret, consumer_key, subscriber_id, subscribed_id) VALUES ('benchtoken', 'benchsecret', $1, $2, $3)`, [
    peer,
    localSubscribers[0],
    peerId,
  ]);
  const common = { endpoint: `${publicUrl}/omb/postnotice`, consumerKey: peer, token: 'benchtoken', secret: 'benchsecret', listeneeUri, concurrency: 16 };
  const writes = async () => {
    const { rows: w } = await db.query('SELECT (SELECT count(*) FROM notices WHERE profile_id = $1)::int + (SELECT count(*) FROM oauth_nonces)::int AS n', [peerId]);
    return w[0].n as number;
  };
  const valid = await runPoster({ ...common, seconds, bad: false, tag: `v${Date.now()}` });
  const { rows: stored } = await db.query('SELECT count(*)::int AS n FROM notices WHERE profile_id = $1', [peerId]);
  const before = await writes();
  const bad = await runPoster({ ...common, seconds: Math.max(1, seconds / 2), bad: true, tag: `b${Date.now()}` });
  const after = await writes();
  return {
    validPerSecond: (valid.statuses['200'] ?? 0) / valid.seconds,
    valid: { sent: valid.sent, statuses: valid.statuses, stored: stored[0].n as number },
    bad: { sent: bad.sent, statuses: bad.statuses, writes: after - before },
  };
}

export type InboundApResult = { validPerSecond: number; valid: { sent: number; statuses: Record<string, number>; stored: number }; bad: { sent: number; statuses: Record<string, number>; writes: number } };

/**
 * A remote ActivityPub actor that `localSubscribers` local users follow (post-activities.ts runs it)
 * sends signed Create(Note) activities to the shared inbox for `seconds`: valid ones must all be
 * stored; then spoiled signatures must all be refused with no write (notices or Fedify's store).
 */
export function timeInboundActivityPub(databaseUrl: string, publicUrl: string, localSubscribers: number[], seconds: number): Promise<InboundApResult> {
  const options = { databaseUrl, publicUrl, localSubscribers, seconds, concurrency: 16, tag: `a${Date.now()}`, maxRequests: Math.round(seconds * 1000) };
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [path.join(import.meta.dirname, 'post-activities.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('BENCH-JSON '));
      if (code !== 0 || !line) return reject(new Error(`post-activities failed (${code}): ${output}`));
      const { valid, bad } = JSON.parse(line.slice(11)) as { valid: { sent: number; seconds: number; statuses: Record<string, number>; stored: number }; bad: InboundApResult['bad'] };
      resolve({ validPerSecond: (valid.statuses['202'] ?? 0) / valid.seconds, valid: { sent: valid.sent, statuses: valid.statuses, stored: valid.stored }, bad });
    });
  });
}
