import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { checkRemoteNotice } from '../../src/domain/remote-content.ts';
import { hasControlCharacters } from '../../src/domain/text-rules.ts';
import { ValidationError } from '../../src/errors.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-remote-content-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const config = loadConfig({ DATA_DIR: dataDir, NOTICE_MAX_LENGTH: '100' });
const notice = { uri: 'http://far.example/notice/1', url: 'http://far.example/notice/1', content: 'hello', source: 'omb' };

function refused(change: Partial<typeof notice>, field: string): void {
  assert.throws(() => checkRemoteNotice(config, { ...notice, ...change }), (error) => error instanceof ValidationError && error.status === 400 && field in error.fields);
}

describe('checks on notices from other servers', () => {
  it('keeps a good notice, with its line breaks made \\n, and the fields it did not check', () => {
    assert.deepEqual(checkRemoteNotice(config, { ...notice, content: 'one\r\ntwo\rthree\tfour' }), { ...notice, content: 'one\ntwo\nthree\tfour' });
    assert.deepEqual(checkRemoteNotice(config, { ...notice, uri: 'tag:far.example,2008:notice:1', url: null }).url, null);
  });

  it('accepts 140 characters even where local notices are shorter, and no more than that', () => {
    assert.equal(checkRemoteNotice(config, { ...notice, content: 'é'.repeat(140) }).content.length, 140);
    refused({ content: 'é'.repeat(141) }, 'content');
  });

  it('refuses control characters, empty content and bad URIs', () => {
    for (const content of ['a\u0000b', 'a\u0007b', 'a\u000bb', 'a\u007fb', '']) refused({ content }, 'content');
    for (const uri of ['', 'javascript:alert(1)', 'ftp://far.example/1', `http://far.example/${'x'.repeat(250)}`, 'http://far.example/a b']) refused({ uri }, 'uri');
    for (const url of ['javascript:alert(1)', 'tag:far.example,2008:1', '']) refused({ url }, 'url');
  });
});

describe('the control-character rule', () => {
  it('allows tab and line breaks only', () => {
    assert.equal(hasControlCharacters('a\tb\nc\rd'), false);
    for (const c of ['\u0000', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f', '\u007f']) assert.equal(hasControlCharacters(`a${c}b`), true, JSON.stringify(c));
  });
});
