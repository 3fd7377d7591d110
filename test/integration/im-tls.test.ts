// XMPP_TLS=require, against a real Prosody: over STARTTLS with a certificate the process trusts the
// bot comes online on an encrypted stream; with an untrusted certificate, or a server that offers
// no TLS at all, it never authenticates (its password never crosses a plain stream).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { startServerProcess } from '../helpers/process.ts';
import type { ServerProcess } from '../helpers/process.ts';
import { startProsody } from '../helpers/prosody.ts';
import type { TestProsody } from '../helpers/prosody.ts';
import { recordingLogger, startTestServer, waitFor } from '../helpers/server.ts';

let secure: TestProsody;
let plain: TestProsody;
const cleanups: Array<() => Promise<unknown>> = [];

before(async () => {
  [secure, plain] = await Promise.all([startProsody({ tls: true }), startProsody()]);
  await Promise.all([secure.register('bot', 'bot-password'), plain.register('bot', 'bot-password')]);
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await Promise.all([secure?.stop(), plain?.stop()]);
});

const botEnv = (prosody: TestProsody) => ({ XMPP_SERVICE: prosody.service, XMPP_JID: `bot@${prosody.domain}`, XMPP_PASSWORD: 'bot-password' });

describe('the chat bot and TLS (XMPP_TLS=require, the default)', () => {
  it('comes online over STARTTLS when the server’s certificate is trusted', async () => {
    let database: TestDatabase | undefined;
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase();
      cleanups.push(() => database!.drop());
    }
    // The certificate is self-signed: the process trusts it as a CA, as an operator's private CA would be.
    const proc: ServerProcess = await startServerProcess({ ...botEnv(secure), NODE_EXTRA_CA_CERTS: secure.certificate!, ...(database ? { DATABASE_URL: database.url! } : {}) });
    cleanups.push(() => proc.stop(5_000));
    const online = await proc.waitForLog((entry) => entry.msg === 'chat bot online', 30_000);
    assert.equal(online.secure, true);
  });

  it('never authenticates when the certificate is not trusted', async () => {
    const recorded = recordingLogger();
    const logged = secure.log().length;
    const server = await startTestServer({ env: botEnv(secure), logger: recorded.logger });
    cleanups.push(() => server.stop());
    await waitFor('the refusal to be logged', async () => recorded.lines.some((line) => /self[- ]signed|certificate/i.test(JSON.stringify(line.err ?? ''))), 20_000);
    assert.equal(server.runtime.chatBot?.isOnline, false);
    const since = secure.log().slice(logged);
    assert.match(since, /Client connected/);
    assert.doesNotMatch(since, /Authenticated as/, 'Prosody saw no authentication from this bot');
  });

  it('never sends its password over a plain stream', async () => {
    const recorded = recordingLogger();
    const server = await startTestServer({ env: botEnv(plain), logger: recorded.logger });
    cleanups.push(() => server.stop());
    await waitFor('the refusal to be logged', async () => recorded.lines.some((line) => /offered no TLS/.test(JSON.stringify(line.err ?? ''))), 20_000);
    assert.equal(server.runtime.chatBot?.isOnline, false);
    assert.equal(server.config.xmpp?.tls, 'require');
    assert.match(plain.log(), /Client connected/);
    assert.doesNotMatch(plain.log(), /Authenticated as/);
  });
});
