// Run in a process of its own (lazy-modules.test.ts): starts a test server and reports which of
// the libraries a page view never needs have been loaded, at start, after a page, after a post
// has been distributed and after an ActivityPub request, as one line "PROBE <json>".
import { registerHooks } from 'node:module';

const loaded = new Set<string>();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});

const LIBRARIES = ['@fedify/fedify', 'nodemailer', 'sanitize-html'];
const present = () => LIBRARIES.filter((name) => [...loaded].some((url) => url.includes(`/node_modules/${name}/`)));

const { startTestServer, waitFor } = await import('./server.ts');
const { registeredClient } = await import('./web-client.ts');
const server = await startTestServer();
const report: Record<string, unknown> = { atStart: present() };
report.pageStatus = (await fetch(`${server.url}/`)).status;
report.afterPage = present();
// A post is distributed by every protocol; nobody follows from an ActivityPub server here.
const alice = await registeredClient(server.url, 'alice');
report.postStatus = (await alice.post('/notice/new', { content: 'Hello', returnto: '/' })).status;
await waitFor('the notice to be distributed', async () => (await server.runtime.ctx.db.raw(`SELECT 1 FROM pgboss.job WHERE name = 'notice.distribute' AND state = 'completed'`)).rows.length > 0);
report.afterPost = present();
const finger = await fetch(`${server.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${new URL(server.url).host}`)}`);
report.webFingerStatus = finger.status;
report.afterActivityPub = present();
await server.stop();
console.log(`PROBE ${JSON.stringify(report)}`);
