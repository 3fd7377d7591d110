import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { NOTICE_DISTRIBUTE_JOB, NOTICE_FANOUT_JOB, PROFILE_DISTRIBUTE_JOB } from '../../src/domain/jobs.ts';
import { jobDefinitionsFor, mergeJobDefinitions } from '../../src/jobs/registry.ts';
import type { JobDefinition } from '../../src/jobs/queue.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import type { FederationProtocol } from '../../src/federation/core.ts';
import { ombProtocol } from '../../src/federation/omb/protocol.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-registry-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

// The registry only builds the table: nothing is sent.
const mailer: Mailer = { send: () => Promise.reject(new Error('not in this test')), close: () => {} };
const definition = (retryLimit: number): JobDefinition => ({ handler: async () => {}, retryLimit, retryDelaySeconds: 1 });

describe('job registry', () => {
  it('joins tables of distinct job names', () => {
    const merged = mergeJobDefinitions({ a: definition(1) }, { b: definition(2) });
    assert.deepEqual(Object.keys(merged), ['a', 'b']);
    assert.ok(Object.isFrozen(merged));
  });

  it('refuses a job name defined twice instead of letting the later table win', () => {
    assert.throws(() => mergeJobDefinitions({ [NOTICE_DISTRIBUTE_JOB]: definition(1) }, { [NOTICE_DISTRIBUTE_JOB]: definition(2) }), /"notice.distribute" is defined twice/);
  });

  it('builds the server’s table without a clash', () => {
    const names = Object.keys(jobDefinitionsFor(loadConfig({ DATA_DIR: dataDir }), mailer));
    for (const name of [NOTICE_FANOUT_JOB, NOTICE_DISTRIBUTE_JOB, PROFILE_DISTRIBUTE_JOB, 'omb.deliver', 'profile.avatar.fetch']) assert.ok(names.includes(name), name);
  });

  it('refuses a protocol that claims a distribution job for itself instead of plugging into the core', () => {
    const greedy: FederationProtocol = { name: 'greedy', jobs: () => ({ [NOTICE_DISTRIBUTE_JOB]: definition(1) }) };
    assert.throws(() => jobDefinitionsFor(loadConfig({ DATA_DIR: dataDir }), mailer, [ombProtocol, greedy]), /"notice.distribute" is defined twice/);
  });

  it('refuses two protocols with the same job name or the same name', () => {
    const copy: FederationProtocol = { name: 'copy', jobs: () => ({ 'omb.deliver': definition(1) }) };
    assert.throws(() => jobDefinitionsFor(loadConfig({ DATA_DIR: dataDir }), mailer, [ombProtocol, copy]), /"omb.deliver" is defined twice/);
    assert.throws(() => jobDefinitionsFor(loadConfig({ DATA_DIR: dataDir }), mailer, [ombProtocol, { name: 'omb' }]), /"omb" is registered twice/);
  });
});
