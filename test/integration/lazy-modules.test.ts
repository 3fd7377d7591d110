// A process that serves pages does not carry what it does not use: Fedify (about 40 MB resident),
// nodemailer and sanitize-html are loaded by the first request or job that needs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('libraries loaded on first use', () => {
  it('serves a page and distributes a post without Fedify, nodemailer or sanitize-html, and loads Fedify for an ActivityPub request', () => {
    const probe = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'node'), [path.join(ROOT, 'test', 'helpers', 'module-probe.ts')], { env: process.env, encoding: 'utf8', timeout: 90_000 });
    const line = probe.stdout.split('\n').find((l) => l.startsWith('PROBE '));
    assert.ok(line, `the probe reported nothing:\n${probe.stdout}\n${probe.stderr}`);
    const report = JSON.parse(line.slice(6)) as { atStart: string[]; pageStatus: number; afterPage: string[]; postStatus: number; afterPost: string[]; webFingerStatus: number; afterActivityPub: string[] };
    assert.deepEqual(report.atStart, []);
    assert.equal(report.pageStatus, 200);
    assert.deepEqual(report.afterPage, []);
    assert.equal(report.postStatus, 303);
    assert.deepEqual(report.afterPost, [], 'no ActivityPub follower: Fedify not needed');
    assert.equal(report.webFingerStatus, 404); // answered by Fedify: nobody by that name
    assert.deepEqual(report.afterActivityPub, ['@fedify/fedify']);
  });
});
