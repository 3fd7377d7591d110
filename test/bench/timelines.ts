// Benchmark: Ostrakon's timeline pages against a bare node:http + pg server that reads and renders
// the same rows, in the same run, on the same database. Reports requests per second and the ratio.
// Run: npm run bench (uses DATABASE_URL when set, else the embedded Postgres). Loopback only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { startTestServer } from '../helpers/server.ts';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const NOTICES_PER_USER = Number(process.env.BENCH_NOTICES ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function seed(db: import('knex').Knex): Promise<void> {
  await db.raw(`INSERT INTO profiles (nickname, is_local) SELECT 'user' || g, true FROM generate_series(1, ?) g`, [USERS]);
  await db.raw(`INSERT INTO users (id, password_hash) SELECT id, 'x' FROM profiles`);
  await db.raw(
    `INSERT INTO notices (profile_id, content, rendered, is_local, conversation_id)
     SELECT p.id, 'notice ' || g || ' by ' || p.nickname, 'notice ' || g || ' by ' || p.nickname, true, 0
     FROM profiles p, generate_series(1, ?) g`,
    [NOTICES_PER_USER],
  );
  await db.raw(`UPDATE notices SET conversation_id = id`);
  // Everyone follows the next 20 people; home timelines filled as fan-out would.
  await db.raw(
    `INSERT INTO subscriptions (subscriber_id, subscribed_id)
     SELECT a.id, b.id FROM profiles a JOIN profiles b ON b.id <> a.id AND (b.id - a.id + ?) % ? BETWEEN 1 AND 20`,
    [USERS, USERS],
  );
  await db.raw(`INSERT INTO home_timeline_entries (user_id, notice_id)
                SELECT s.subscriber_id, n.id FROM subscriptions s JOIN notices n ON n.profile_id = s.subscribed_id
                UNION SELECT n.profile_id, n.id FROM notices n`);
  await db.raw('ANALYZE');
}

// The ceiling: one query, a string template, no framework.
function startBareServer(url: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const server = http.createServer(async (_req, res) => {
    const { rows } = await pool.query(
      `SELECT n.id, n.rendered, n.created_at, p.nickname FROM notices n JOIN profiles p ON p.id = n.profile_id
       WHERE n.is_local ORDER BY n.id DESC LIMIT 21`,
    );
    const items = rows.slice(0, 20).map((r) => `<li><a href="/${escape(r.nickname)}">${escape(r.nickname)}</a> <p>${r.rendered}</p> <time>${(r.created_at as Date).toISOString()}</time></li>`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html><head><title>Public</title></head><body><ol>${items.join('')}</ol></body></html>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: async () => {
          server.close();
          await pool.end();
        },
      }),
    ),
  );
}

async function load(url: string): Promise<{ rps: number; p99: number; errors: number }> {
  const deadline = Date.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const started = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.status !== 200) errors++;
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / SECONDS, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0, errors };
}

const server = await startTestServer({ env: { LOG_LEVEL: 'silent' } });
try {
  console.log(`seeding ${USERS} users, ${USERS * NOTICES_PER_USER} notices ...`);
  await seed(server.runtime.ctx.db);
  const bare = await startBareServer(server.runtime.database.url);
  try {
    const ceiling = await load(bare.url);
    const results: [string, Awaited<ReturnType<typeof load>>][] = [
      ['public timeline  /', await load(`${server.url}/`)],
      ['profile          /user7', await load(`${server.url}/user7`)],
      ['home timeline    /user7/all', await load(`${server.url}/user7/all`)],
      ['older page       /user7/all?before=...', await load(`${server.url}/user7/all?before=${USERS * NOTICES_PER_USER - 500}`)],
    ];
    console.log(`ceiling (node:http + pg, same rows): ${ceiling.rps.toFixed(0)} req/s, p99 ${ceiling.p99.toFixed(1)} ms`);
    for (const [name, result] of results) {
      console.log(`${name.padEnd(40)} ${result.rps.toFixed(0).padStart(6)} req/s  p99 ${result.p99.toFixed(1).padStart(6)} ms  ${(result.rps / ceiling.rps).toFixed(2)}x ceiling  errors ${result.errors}`);
    }
    console.log(`memory: rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (server, load generator and ceiling in one process)`);
  } finally {
    await bare.close();
  }
} finally {
  await server.stop();
}
