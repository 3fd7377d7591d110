// The benchmark (`npm run bench`, `npm run bench -- --quick`): Ostrakon against a bare node:http + pg
// ceiling on the same seeded Postgres database, each server in a process of its own and the load
// from processes of their own (wrk, and a fixed-rate generator). Every page figure is reported with
// the ceiling's, measured in the same run, and as a ratio. Writes test-artifacts/bench-*.{json,md}.
// Options: --quick (smaller dataset, shorter runs), --only=<name,...> (some pages), --cpu-prof
// (Ostrakon writes a CPU profile to test-artifacts/profiles/ when it stops), --skip-writes,
// --database=<name> (another database than ostrakon_bench[_quick], e.g. for a branch whose
// migrations the usual one should not get), --one-process (ROLE=all, as `npm start` runs it, instead
// of a web and a worker process as docker-compose.yml runs them).
// Needs wrk and a Postgres server: BENCH_DATABASE_URL or DATABASE_URL (its database is only used to
// create ostrakon_bench[_quick]); loopback only.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../helpers/process.ts';
import { castOf, prepareDatabase, seedDataset, storageFigures } from './seed.ts';
import type { Size } from './seed.ts';
import { closedLoop, fixedRate, requireWrk, twoLoaders } from './load.ts';
import type { ClosedLoop, FixedRate } from './load.ts';
import { BENCH_SESSION_SECRET, signIn } from './sessions.ts';
import { startStubs, subscribeStubs, timeFanOut, timeInbound, timeInboundActivityPub } from './federation.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const cpuProf = args.includes('--cpu-prof');
const skipWrites = args.includes('--skip-writes');
const oneProcess = args.includes('--one-process'); // ROLE=all, as `npm start` runs it, instead of web + worker
const SIZE: Size = quick ? { users: 2000, notices: 100_000, heavyFollows: 1000 } : { users: 10_000, notices: 1_000_000, heavyFollows: 1000 };
const SECONDS = quick ? 3 : 6;
const RATE = 200;
const base = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (line: string) => console.log(line);

type Server = { url: string; child: ChildProcess; stop(): Promise<void> };

async function waitForAnswer(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    const ok = await fetch(url).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    });
}

// Ostrakon as docker-compose.yml runs it: a web process (ROLE=web: pages and federation endpoints,
// the one measured for pages and memory) and a worker process (ROLE=worker: fan-out, deliveries),
// sharing the database and DATA_DIR.
async function startOstrakon(url: string): Promise<Server & { startMs: number; worker: ChildProcess | undefined }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-bench-'));
  const profiling = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ARTIFACTS, 'profiles')}`] : [];
  // The Node flags `npm start` gives the server (package.json), so that the figures are those of a real start.
  const startScript = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const nodeFlags = startScript.split(/\s+/).filter((word) => word.startsWith('--'));
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    SESSION_SECRET: BENCH_SESSION_SECRET,
    ALLOW_PRIVATE_ADDRESSES: 'true', // the remote stubs are on loopback
    REGISTRATION: 'open',
    NOTICES_PER_HOUR: '100000', // the popular user posts twice a run: runs on one database must not meet the hourly allowance
  };
  const start = (role: 'all' | 'web' | 'worker', logName: string, flags: string[]) => {
    const output = openSync(path.join(ARTIFACTS, logName), 'w');
    return spawn(NODE, [...nodeFlags, ...flags, 'src/server.ts'], { cwd: ROOT, env: { ...env, ROLE: role }, stdio: ['ignore', output, output] });
  };
  const started = Date.now();
  const child = start(oneProcess ? 'all' : 'web', 'bench-server.log', profiling);
  await waitForAnswer(`http://127.0.0.1:${port}/`, child, 60_000);
  const startMs = Date.now() - started;
  const worker = oneProcess ? undefined : start('worker', 'bench-worker.log', []);
  const stopWeb = stopper(child);
  const stopWorker = worker ? stopper(worker) : async () => {};
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    worker,
    startMs,
    async stop() {
      await Promise.all([stopWeb(), stopWorker()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startCeiling(url: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(NODE, [path.join(import.meta.dirname, 'ceiling-server.ts')], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForAnswer(`http://127.0.0.1:${port}/`, child, 30_000);
  return { url: `http://127.0.0.1:${port}`, child, stop: stopper(child) };
}

/** Resident memory of a process, from /proc: current (VmRSS) or peak (VmHWM), in MB. */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0) / 1024;
}

// The notice ids a page or feed lists, in order: both servers must list the same ones.
function listedIds(body: string): string {
  const html = [...body.matchAll(/<li class="notice" id="notice-(\d+)">/g)].map((m) => m[1]);
  const atom = [...body.matchAll(/<id>[^<]*\/notice\/(\d+)<\/id>/g)].map((m) => m[1]);
  return [...html, ...atom].join(',');
}

type Page = { name: string; reader: string; path: string; cookie?: string };
type PageResult = Page & { ostrakon: ClosedLoop; ceiling: ClosedLoop; ratio: number; ostrakonAt200: FixedRate; ceilingAt200: FixedRate; bytes: { ostrakon: number; ceiling: number } };

async function comparePage(ostrakon: string, ceiling: string, page: Page): Promise<{ ostrakon: number; ceiling: number }> {
  const headers: Record<string, string> = page.cookie ? { cookie: page.cookie } : {};
  const [a, b] = await Promise.all([fetch(ostrakon + page.path, { headers }), fetch(ceiling + page.path, { headers })]);
  const [textA, textB] = await Promise.all([a.text(), b.text()]);
  if (a.status !== 200 || b.status !== 200) throw new Error(`${page.path}: Ostrakon answered ${a.status}, the ceiling ${b.status}`);
  const idsA = listedIds(textA);
  const idsB = listedIds(textB);
  if (!idsA || idsA !== idsB) throw new Error(`${page.name} (${page.path}): the servers list different notices:\n  Ostrakon ${idsA}\n  ceiling  ${idsB}`);
  if (page.cookie && !textA.includes('Log out')) throw new Error(`${page.name}: the session cookie did not sign in`);
  return { ostrakon: Buffer.byteLength(textA), ceiling: Buffer.byteLength(textB) };
}

async function measurePage(ostrakon: string, ceiling: string, page: Page): Promise<PageResult> {
  const bytes = await comparePage(ostrakon, ceiling, page);
  const headers: Record<string, string> = page.cookie ? { cookie: page.cookie } : {};
  // Alternate the two servers, so that a noisy neighbour hurts both figures alike.
  const c = await closedLoop(ceiling + page.path, SECONDS, headers);
  const o = await closedLoop(ostrakon + page.path, SECONDS, headers);
  const cAt = await fixedRate(ceiling + page.path, RATE, SECONDS, headers);
  const oAt = await fixedRate(ostrakon + page.path, RATE, SECONDS, headers);
  const result = { ...page, ostrakon: o, ceiling: c, ratio: o.rps / c.rps, ostrakonAt200: oAt, ceilingAt200: cAt, bytes };
  log(
    `${`${page.name} (${page.reader})`.padEnd(34)} ${o.rps.toFixed(0).padStart(6)} req/s vs ${c.rps.toFixed(0).padStart(6)}  ${result.ratio.toFixed(2)}x` +
      `  @200/s p50 ${oAt.p50Ms.toFixed(1)} p99 ${oAt.p99Ms.toFixed(1)} ms (ceiling ${cAt.p50Ms.toFixed(1)}/${cAt.p99Ms.toFixed(1)})  errors ${o.errors + oAt.errors}`,
  );
  return result;
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function markdown(report: Record<string, any>): string {
  const lines = [
    `Benchmark ${report.date} on ${report.machine} (${report.size.users} users, ${report.size.notices} notices, ${report.storage.homeRows} home-timeline rows; ${report.quick ? 'quick' : 'full'} size; wrk 1 thread 32 connections ${SECONDS} s; fixed rate ${RATE}/s for ${SECONDS} s)`,
    '',
    '| page | reader | Ostrakon req/s | ceiling req/s | ratio | Ostrakon p50 / p99 at 200/s (ms) | ceiling p50 / p99 at 200/s (ms) | bytes (Ostrakon / ceiling) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.pages.map(
      (p: PageResult) =>
        `| ${p.name} | ${p.reader} | ${fmt(p.ostrakon.rps)} | ${fmt(p.ceiling.rps)} | ${fmt(p.ratio, 2)} | ${fmt(p.ostrakonAt200.p50Ms, 1)} / ${fmt(p.ostrakonAt200.p99Ms, 1)} | ${fmt(p.ceilingAt200.p50Ms, 1)} / ${fmt(p.ceilingAt200.p99Ms, 1)} | ${p.bytes.ostrakon} / ${p.bytes.ceiling} |`,
    ),
    '',
    '| figure | value |',
    '| --- | ---: |',
    ...Object.entries(report.figures as Record<string, string>).map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
  return lines.join('\n');
}

requireWrk();
mkdirSync(ARTIFACTS, { recursive: true });
const dbName = args.find((a) => a.startsWith('--database='))?.slice(11) ?? (quick ? 'ostrakon_bench_quick' : 'ostrakon_bench');
if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`--database: "${dbName}" is not a plain database name`);
const url = await prepareDatabase(base, dbName);
const seeding = await seedDataset(url, SIZE, log);
log(`dataset ready in ${seeding.seconds.toFixed(1)} s (${seeding.seededNow ? 'seeded' : 'reused'}): database ${dbName}`);
const cast = castOf(SIZE);
const db = new pg.Client({ connectionString: url });
await db.connect();
const ostrakon = await startOstrakon(url);
const ceiling = await startCeiling(url);
const pid = ostrakon.child.pid!;
// Interrupted (Ctrl-C): stop both servers rather than leave them running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    ostrakon.child.kill('SIGTERM');
    ostrakon.worker?.kill('SIGTERM');
    ceiling.child.kill('SIGTERM');
    process.exit(130);
  });
}
const report: Record<string, any> = { date: new Date().toISOString(), machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.cpus()[0]?.model ?? ''}`.trim(), quick, size: SIZE };
try {
  log(`Ostrakon answered its first request ${ostrakon.startMs} ms after start; waiting 10 s for the idle figure ...`);
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const idleRss = memoryMb(pid, 'VmRSS');

  const heavy = await signIn(db, cast.heavyReader);
  const median = await signIn(db, cast.medianReader);
  const sparse = await signIn(db, cast.sparseReader);
  const u = (id: number) => `user${id}`;
  const pages: Page[] = [
    { name: 'public timeline', reader: 'anonymous', path: '/' },
    { name: 'home timeline, heavy reader', reader: 'anonymous', path: `/${u(cast.heavyReader)}/all` },
    { name: 'home timeline, median reader', reader: 'anonymous', path: `/${u(cast.medianReader)}/all` },
    { name: 'home timeline, sparse reader', reader: 'anonymous', path: `/${u(cast.sparseReader)}/all` },
    { name: 'profile, popular user', reader: 'anonymous', path: `/${u(cast.popular)}` },
    { name: 'profile, median user', reader: 'anonymous', path: `/${u(cast.medianAuthor)}` },
    { name: 'Atom feed', reader: 'anonymous', path: '/atom' },
    { name: 'public timeline, deep Older page', reader: 'anonymous', path: `/?before=${cast.deepBefore}` },
    { name: 'public timeline', reader: 'signed in', path: '/', cookie: median },
    { name: 'home timeline, heavy reader', reader: 'signed in (own)', path: `/${u(cast.heavyReader)}/all`, cookie: heavy },
    { name: 'home timeline, median reader', reader: 'signed in (own)', path: `/${u(cast.medianReader)}/all`, cookie: median },
    { name: 'home timeline, sparse reader', reader: 'signed in (own)', path: `/${u(cast.sparseReader)}/all`, cookie: sparse },
    { name: 'profile, popular user', reader: 'signed in', path: `/${u(cast.popular)}`, cookie: median },
  ].filter((p) => !only || only.some((o) => `${p.name} ${p.reader}`.includes(o)));

  // Both servers warm up (JIT, connection pools) before anything counts.
  await Promise.all([closedLoop(`${ceiling.url}/`, 2), closedLoop(`${ostrakon.url}/`, 2)]);
  // The load generator must not be the limit: a second wrk process must not raise the ceiling's figure.
  // One process before and after the pair, the better of the two kept: a noisy neighbour during a
  // single run must not pass for a generator limit.
  const before = await closedLoop(`${ceiling.url}/`, SECONDS);
  const two = await twoLoaders(`${ceiling.url}/`, SECONDS);
  const after = await closedLoop(`${ceiling.url}/`, SECONDS);
  const one = before.rps >= after.rps ? before : after;
  log(`ceiling, public timeline: ${one.rps.toFixed(0)} req/s from one wrk process, ${two.toFixed(0)} from two at once`);
  report.generatorCheck = { oneProcessRps: one.rps, twoProcessesRps: two };

  report.pages = [];
  for (const page of pages) report.pages.push(await measurePage(ostrakon.url, ceiling.url, page));

  const figures: Record<string, string> = {};
  figures['ceiling req/s, one wrk process / two at once'] = `${fmt(one.rps)} / ${fmt(two)}`;
  if (!skipWrites) {
    const { stubs, stop } = await startStubs(100);
    try {
      await subscribeStubs(db, cast.popular, stubs);
      const instant = await timeFanOut(db, ostrakon.url, cast.popular, stubs, () => ({ kind: 'instant' }), 'instant');
      log(`fan-out: ${instant.homeTimelines} home timelines in ${instant.homeMs} ms; ${instant.remoteAcked}/100 instant stubs acknowledged in ${instant.remoteMs['instant stubs']} ms`);
      const mixed = await timeFanOut(db, ostrakon.url, cast.popular, stubs, (i) => (i < 10 ? { kind: 'silent' } : { kind: 'delayed', ms: 50 }), 'mixed');
      log(`fan-out: ${mixed.homeTimelines} home timelines in ${mixed.homeMs} ms; ${mixed.remoteAcked}/90 stubs answering after 50 ms acknowledged in ${mixed.remoteMs['50 ms stubs']} ms (10 never answer)`);
      report.fanOut = { instant, mixed };
      figures['post by the popular user in all local home timelines (ms)'] = `${fmt(instant.homeMs)} (${instant.homeTimelines} timelines); with the mixed stubs ${fmt(mixed.homeMs)}`;
      figures['100 instant remote stubs acknowledged (ms)'] = `${fmt(instant.remoteMs['instant stubs']!)} (${instant.remoteAcked}/100)`;
      figures['90 stubs answering after 50 ms, 10 never (ms)'] = `${fmt(mixed.remoteMs['50 ms stubs']!)} (${mixed.remoteAcked}/90)`;
    } finally {
      await stop();
    }
    const inbound = await timeInbound(db, ostrakon.url, [cast.medianReader, cast.heavyReader, cast.sparseReader], SECONDS);
    log(`inbound postNotice: ${inbound.validPerSecond.toFixed(0)}/s valid (${JSON.stringify(inbound.valid)}); bad signatures ${JSON.stringify(inbound.bad)}`);
    report.inbound = inbound;
    figures['inbound signed postNotice stored per second'] = `${fmt(inbound.validPerSecond)} (${inbound.valid.stored} stored of ${inbound.valid.statuses['200'] ?? 0} accepted)`;
    figures['bad signatures refused / database writes'] = `${inbound.bad.statuses['401'] ?? 0} of ${inbound.bad.sent} / ${inbound.bad.writes}`;
    const inboundAp = await timeInboundActivityPub(url, ostrakon.url, [cast.medianReader, cast.heavyReader, cast.sparseReader], SECONDS);
    log(`inbound ActivityPub Create: ${inboundAp.validPerSecond.toFixed(0)}/s valid (${JSON.stringify(inboundAp.valid)}); bad signatures ${JSON.stringify(inboundAp.bad)}`);
    report.inboundActivityPub = inboundAp;
    figures['inbound signed ActivityPub Create stored per second'] = `${fmt(inboundAp.validPerSecond)} (${inboundAp.valid.stored} stored of ${inboundAp.valid.statuses['202'] ?? 0} accepted)`;
    figures['bad ActivityPub signatures refused / database writes'] = `${inboundAp.bad.statuses['401'] ?? 0} of ${inboundAp.bad.sent} / ${inboundAp.bad.writes}`;
  }
  report.memory = { idleRssMb: idleRss, peakRssMb: memoryMb(pid, 'VmHWM'), workerPeakRssMb: ostrakon.worker ? memoryMb(ostrakon.worker.pid!, 'VmHWM') : undefined };
  report.startMs = ostrakon.startMs;
  report.storage = await storageFigures(url);
  figures['time from start to first response (ms)'] = String(ostrakon.startMs);
  figures['web process: idle RSS 10 s after start (MB)'] = fmt(idleRss);
  figures['web process: peak RSS over the run, VmHWM (MB)'] = fmt(report.memory.peakRssMb);
  if (ostrakon.worker) figures['worker process: peak RSS over the run, VmHWM (MB)'] = fmt(report.memory.workerPeakRssMb);
  else figures['one process (ROLE=all, --one-process)'] = 'yes';
  figures['bytes per notice / per home-timeline row'] = `${report.storage.bytesPerNotice} / ${report.storage.bytesPerHomeRow}`;
  report.figures = figures;
  const stamp = report.date.replace(/[:.]/g, '-');
  const md = markdown(report);
  writeFileSync(path.join(ARTIFACTS, `bench-${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(ARTIFACTS, `bench-${stamp}.md`), md);
  writeFileSync(path.join(ARTIFACTS, 'bench-latest.md'), md);
  log(`\n${md}\nwritten to test-artifacts/bench-${stamp}.{json,md}`);
} finally {
  await db.end();
  await ceiling.stop();
  await ostrakon.stop();
}
