// Signed ActivityPub Create(Note) requests to Ostrakon's shared inbox, in a process of its own.
// Usage: node post-activities.ts '<json options>'; prints one JSON line with the answers by status.
// It runs a small ActivityPub server of its own on loopback (test/helpers/ap-peer.ts: Ostrakon
// fetches the actor's key from it once), makes that actor followed by the given local users, signs
// every request before the clock starts (RSA signing costs the sender a millisecond each: measured
// here it would be the sender's speed), then sends them with `concurrency` connections. Then the
// same again with spoiled signatures, which must all be refused with nothing written.
import http from 'node:http';
import pg from 'pg';
import { startApPeer } from '../helpers/ap-peer.ts';

type Options = { databaseUrl: string; publicUrl: string; localSubscribers: number[]; seconds: number; concurrency: number; tag: string; maxRequests: number };
type Phase = { sent: number; seconds: number; statuses: Record<string, number> };

const options = JSON.parse(process.argv[2]!) as Options;
const peer = await startApPeer();
const actor = peer.actorUri('peer');
const db = new pg.Client({ connectionString: options.databaseUrl });
await db.connect();

// The peer's actor as Ostrakon would have recorded it when a local user followed it.
const { rows } = await db.query(
  `INSERT INTO profiles (nickname, is_local, uri, profile_url) VALUES ('peer', false, $1, $2)
   ON CONFLICT (uri) WHERE uri IS NOT NULL DO UPDATE SET profile_url = excluded.profile_url RETURNING id`,
  [actor, `${peer.url}/@peer`],
);
const peerId = rows[0].id as number;
await db.query(
  `INSERT INTO ap_actors (profile_id, actor_id, inbox_url, shared_inbox_url, handle) VALUES ($1, $2, $3, $4, $5)
   ON CONFLICT (profile_id) DO UPDATE SET inbox_url = excluded.inbox_url, shared_inbox_url = excluded.shared_inbox_url`,
  [peerId, actor, `${actor}/inbox`, `${peer.url}/inbox`, `peer@${peer.host}`],
);
for (const id of options.localSubscribers) await db.query('INSERT INTO subscriptions (subscriber_id, subscribed_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, peerId]);

const inbox = `${options.publicUrl}/inbox`;
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

async function signedCreates(count: number, phase: string, spoil: boolean): Promise<{ headers: Record<string, string>; body: string }[]> {
  const signed = [];
  for (let i = 0; i < count; i++) {
    const id = `${peer.url}/notes/${options.tag}-${phase}-${i}`;
    const body = JSON.stringify({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${id}/activity`,
      type: 'Create',
      actor,
      to: [PUBLIC],
      object: { id, type: 'Note', attributedTo: actor, to: [PUBLIC], url: id, content: `<p>Inbound note ${i} from the benchmark's peer, about the <a href="${peer.url}/tags/weather">#weather</a> and the river</p>` },
    });
    const headers: Record<string, string> = {};
    (await peer.signedHeaders('peer', inbox, body)).forEach((value, name) => (headers[name] = value));
    if (spoil) headers.signature = headers.signature!.replace(/signature="([A-Za-z0-9+/])/, (_m, c: string) => `signature="${c === 'A' ? 'B' : 'A'}`);
    signed.push({ headers, body });
  }
  return signed;
}

async function send(requests: { headers: Record<string, string>; body: string }[], seconds: number): Promise<Phase> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && next < requests.length) {
        const { headers, body } = requests[next++]!;
        await new Promise<void>((resolve) => {
          const request = http.request(inbox, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
            response.resume();
            response.on('end', () => {
              statuses[response.statusCode!] = (statuses[response.statusCode!] ?? 0) + 1;
              resolve();
            });
          });
          request.on('error', () => {
            statuses.error = (statuses.error ?? 0) + 1;
            resolve();
          });
          request.end(body);
        });
      }
    }),
  );
  agent.destroy();
  return { sent: Object.values(statuses).reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000, statuses };
}

const writes = async () => {
  const { rows: w } = await db.query('SELECT (SELECT count(*) FROM notices WHERE profile_id = $1)::int AS notices, (SELECT count(*) FROM fedify_kv)::int AS kv', [peerId]);
  return w[0] as { notices: number; kv: number };
};

// A first request fetches the actor's key (then cached); it is not counted.
await send(await signedCreates(1, 'warm-up', false), 10);
const before = await writes();
const valid = await send(await signedCreates(options.maxRequests, 'valid', false), options.seconds);
const stored = (await writes()).notices - before.notices;
const beforeBad = await writes();
const bad = await send(await signedCreates(Math.min(options.maxRequests, 500), 'bad', true), Math.max(1, options.seconds / 2));
const afterBad = await writes();
console.log(`BENCH-JSON ${JSON.stringify({ valid: { ...valid, stored }, bad: { ...bad, writes: afterBad.notices - beforeBad.notices + afterBad.kv - beforeBad.kv } })}`);
await db.end();
await peer.stop();
