// Signed OMB postNotice requests as fast as `concurrency` connections allow, in a process of its own.
// Usage: node post-notices.ts '<json options>'; prints one JSON line with the answers by status.
// With "bad": true every signature is spoiled (one character changed), which must be refused.
import http from 'node:http';
import { encodeForm, signRequest } from '../../src/federation/omb/oauth.ts';

type Options = { endpoint: string; consumerKey: string; token: string; secret: string; listeneeUri: string; seconds: number; concurrency: number; bad: boolean; tag: string };
const options = JSON.parse(process.argv[2]!) as Options;
const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
const statuses: Record<string, number> = {};
let sent = 0;
const deadline = performance.now() + options.seconds * 1000;

function post(i: number): Promise<void> {
  const signed = signRequest({
    method: 'POST',
    url: options.endpoint,
    consumerKey: options.consumerKey,
    token: { key: options.token, secret: options.secret },
    params: {
      omb_version: 'http://openmicroblogging.org/protocol/0.1',
      omb_listenee: options.listeneeUri,
      omb_notice: `${options.consumerKey}notice/${options.tag}-${i}`,
      omb_notice_content: `Inbound notice ${i} from the benchmark's peer, about the #weather and the river`,
    },
  });
  if (options.bad) signed.params.oauth_signature = `A${signed.params.oauth_signature!.slice(1)}` === signed.params.oauth_signature ? `B${signed.params.oauth_signature!.slice(1)}` : `A${signed.params.oauth_signature!.slice(1)}`;
  const body = encodeForm(signed.params);
  return new Promise((resolve) => {
    const request = http.request(signed.url, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (response) => {
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

const started = performance.now();
await Promise.all(
  Array.from({ length: options.concurrency }, async () => {
    while (performance.now() < deadline) await post(sent++);
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(`BENCH-JSON ${JSON.stringify({ sent, seconds, statuses })}`);
agent.destroy();
