// Open-loop load at a fixed rate, in a process of its own: request i is due at start + i/rate
// whatever happened to the earlier ones, and its latency counts from when it was due (so a slow
// server cannot slow the generator down and hide its own queueing). wrk 4 has no rate option.
// Usage: node fixed-rate.ts <url> <rate per s> <seconds> [header: value ...]; prints one JSON line.
import http from 'node:http';

const [url, rateText, secondsText, ...headerArgs] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const headers: Record<string, string> = {};
for (const header of headerArgs) {
  const at = header.indexOf(':');
  headers[header.slice(0, at).trim()] = header.slice(at + 1).trim();
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const total = Math.round(rate * seconds);
const latencies: number[] = [];
let errors = 0;
let non2xx = 0;
let inFlight = 0;
let maxInFlight = 0;

function send(due: number): Promise<void> {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  return new Promise((resolve) => {
    const request = http.get(url!, { agent, headers }, (response) => {
      response.on('data', () => {});
      response.on('end', () => {
        if (response.statusCode! < 200 || response.statusCode! > 299) non2xx++;
        latencies.push(performance.now() - due);
        inFlight--;
        resolve();
      });
    });
    request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
    request.on('error', () => {
      errors++;
      inFlight--;
      resolve();
    });
  });
}

const start = performance.now() + 50;
const pending: Promise<void>[] = [];
let next = 0;
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (next < total && start + (next * 1000) / rate <= now) pending.push(send(start + (next++ * 1000) / rate));
    if (next >= total) return resolve();
    setTimeout(tick, Math.max(0, Math.min(5, start + (next * 1000) / rate - now)));
  };
  tick();
});
await Promise.all(pending);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
const elapsed = (performance.now() - start) / 1000;
console.log(`BENCH-JSON ${JSON.stringify({ sent: total, done: latencies.length, errors, non2xx, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), achievedRate: total / elapsed, maxInFlight })}`);
agent.destroy();
