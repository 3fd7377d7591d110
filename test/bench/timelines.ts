// Benchmark: Ostrakon's timeline pages against a bare node:http + pg server that reads and renders
// the same rows, on the same database, in the same run. Each server runs in a process of its own (as
// `npm start` would); this process only generates the load. Reports requests per second and ratios.
// Run: npm run bench (uses DATABASE_URL when set, else the embedded Postgres). Loopback only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, startServerProcess } from '../helpers/process.ts';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const NOTICES_PER_USER = Number(process.env.BENCH_NOTICES ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROOT = path.resolve(import.meta.dirname, '../..');

async function seed(url: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`INSERT INTO profiles (nickname, is_local) SELECT 'user' || g, true FROM generate_series(1, $1::int) g`, [USERS]);
    await db.query(`INSERT INTO users (id, password_hash) SELECT id, 'x' FROM profiles`);
    await db.query(
      `INSERT INTO notices (profile_id, content, rendered, is_local, conversation_id)
       SELECT p.id, 'notice ' || g || ' by ' || p.nickname, 'notice ' || g || ' by ' || p.nickname, true, 0
       FROM profiles p, generate_series(1, $1::int) g`,
      [NOTICES_PER_USER],
    );
    await db.query(`UPDATE notices SET conversation_id = id`);
    // Everyone follows the next 20 people; home timelines filled as fan-out would.
    await db.query(
      `INSERT INTO subscriptions (subscriber_id, subscribed_id)
       SELECT a.id, b.id FROM profiles a JOIN profiles b ON b.id <> a.id AND (b.id - a.id + $1::int) % $1::int BETWEEN 1 AND 20`,
      [USERS],
    );
    await db.query(`INSERT INTO home_timeline_entries (user_id, notice_id)
                    SELECT s.subscriber_id, n.id FROM subscriptions s JOIN notices n ON n.profile_id = s.subscribed_id
                    UNION SELECT n.profile_id, n.id FROM notices n`);
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
}

// The ceiling server in its own process, on the project's Node.
async function startCeiling(url: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'node'), [path.join(import.meta.dirname, 'ceiling-server.ts')], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`the ceiling server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
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

const database = await createTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-bench-'));
const server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(database.url ? { DATABASE_URL: database.url } : {}) });
try {
  // With the embedded database, the other processes join the server's socket.
  const url = database.url ?? (await startEmbeddedPostgres(dataDir, { join: true })).url;
  console.log(`seeding ${USERS} users, ${USERS * NOTICES_PER_USER} notices (${database.url ? 'Postgres server' : 'embedded Postgres'}) ...`);
  await seed(url);
  const ceilingServer = await startCeiling(url);
  try {
    const ceiling = await load(ceilingServer.url);
    const results: [string, Awaited<ReturnType<typeof load>>][] = [
      ['public timeline  /', await load(`${server.url}/`)],
      ['profile          /user7', await load(`${server.url}/user7`)],
      ['home timeline    /user7/all', await load(`${server.url}/user7/all`)],
      ['older page       /user7/all?before=...', await load(`${server.url}/user7/all?before=${USERS * NOTICES_PER_USER - 500}`)],
    ];
    console.log(`ceiling (node:http + pg, same rows, own process): ${ceiling.rps.toFixed(0)} req/s, p99 ${ceiling.p99.toFixed(1)} ms`);
    for (const [name, result] of results) {
      console.log(`${name.padEnd(40)} ${result.rps.toFixed(0).padStart(6)} req/s  p99 ${result.p99.toFixed(1).padStart(6)} ms  ${(result.rps / ceiling.rps).toFixed(2)}x ceiling  errors ${result.errors}`);
    }
    const rss = Number((await import('node:fs')).readFileSync(`/proc/${server.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
    if (rss) console.log(`memory: Ostrakon process rss ${(rss / 1024).toFixed(0)} MB`);
  } finally {
    ceilingServer.stop();
  }
} finally {
  await server.stop();
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
