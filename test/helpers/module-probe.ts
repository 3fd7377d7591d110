// Run in a process of its own (lazy-modules.test.ts): starts a test server and reports which of
// the libraries a page view never needs have been loaded, at start, after a page and after an
// ActivityPub request, as one line "PROBE <json>".
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

const { startTestServer } = await import('./server.ts');
const server = await startTestServer();
const report: Record<string, unknown> = { atStart: present() };
report.pageStatus = (await fetch(`${server.url}/`)).status;
report.afterPage = present();
const finger = await fetch(`${server.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${new URL(server.url).host}`)}`);
report.webFingerStatus = finger.status;
report.afterActivityPub = present();
await server.stop();
console.log(`PROBE ${JSON.stringify(report)}`);
