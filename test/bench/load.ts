// Load from processes of their own: wrk (closed loop: as many requests as 32 connections can get
// answered) and fixed-rate.ts (open loop at 200 requests/s, for latency that includes queueing).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const NODE = path.resolve(import.meta.dirname, '../../node_modules/.bin/node');

export type ClosedLoop = { rps: number; p50Ms: number; p99Ms: number; errors: number; bytesPerResponse: number };
export type FixedRate = { rate: number; p50Ms: number; p99Ms: number; maxMs: number; errors: number; achievedRate: number };

/** Throws with what to do when wrk is not installed. */
export function requireWrk(): void {
  const found = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    throw new Error('The benchmark needs wrk (a C HTTP load generator) on the PATH: on Debian or Ubuntu run `apt-get install -y wrk`.');
  }
}

function run(command: string, args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('BENCH-JSON '));
      if (code !== 0 || !line) return reject(new Error(`${command} failed (${code}):\n${output}`));
      resolve(JSON.parse(line.slice('BENCH-JSON '.length)) as Record<string, number>);
    });
  });
}

function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

/** wrk with one thread and `connections` connections for `seconds`. */
export async function closedLoop(url: string, seconds: number, headers: Record<string, string> = {}, connections = 32): Promise<ClosedLoop> {
  const script = path.join(import.meta.dirname, 'wrk-report.lua');
  const r = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, ...headerArgs(headers), url]);
  return {
    rps: r.requests! / (r.durationUs! / 1e6),
    p50Ms: r.p50Us! / 1000,
    p99Ms: r.p99Us! / 1000,
    errors: r.socketErrors! + r.non2xx!,
    bytesPerResponse: r.requests ? r.bytes! / r.requests : 0,
  };
}

/** Two wrk processes at once against one URL: their summed rate (the generator is not the limit if it stays flat). */
export async function twoLoaders(url: string, seconds: number): Promise<number> {
  const results = await Promise.all([closedLoop(url, seconds), closedLoop(url, seconds)]);
  return results[0]!.rps + results[1]!.rps;
}

/** Open-loop requests at `rate` per second for `seconds`. */
export async function fixedRate(url: string, rate: number, seconds: number, headers: Record<string, string> = {}): Promise<FixedRate> {
  const r = await run(NODE, [path.join(import.meta.dirname, 'fixed-rate.ts'), url, String(rate), String(seconds), ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`)]);
  return { rate, p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, maxMs: r.maxMs!, errors: r.errors! + r.non2xx!, achievedRate: r.achievedRate! };
}
