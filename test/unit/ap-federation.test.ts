// The Fedify federation is built once per process: the copies of the context that distribution jobs
// make for their transactions find the federation of the context they were copied from.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/domain/context.ts';
import { apFederationFor } from '../../src/federation/activitypub/federation.ts';
import { rootContext, withDatabase } from '../../src/federation/context.ts';
import type { FederationContext } from '../../src/federation/context.ts';
import { createHttpClient } from '../../src/federation/http-client.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-ap-federation-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

// Building a federation queries nothing: stand-ins for the database and queue are enough.
function processContext(): FederationContext {
  const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://here.example' });
  return Object.freeze({ db: {} as Db, jobs: { send: async () => {}, sendMany: async () => {} }, config, http: createHttpClient({ allowPrivateAddresses: false }) });
}

describe('the federation of a process', () => {
  it('is one for the process context and every transaction copy of it, however deep', () => {
    const ctx = processContext();
    const copy = withDatabase(ctx, {} as Db);
    const copyOfCopy = withDatabase(copy, {} as Db);
    assert.notEqual(copy, ctx);
    assert.equal(copy.config, ctx.config);
    assert.equal(rootContext(copyOfCopy), ctx);
    assert.equal(apFederationFor(copy), apFederationFor(ctx));
    assert.equal(apFederationFor(copyOfCopy), apFederationFor(ctx));
    assert.ok(Object.isFrozen(copy));
  });

  it('is another for another process context (each test server has its own)', () => {
    assert.notEqual(apFederationFor(processContext()), apFederationFor(processContext()));
  });
});
