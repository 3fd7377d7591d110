// A local repeat as OMB 0.1 carries it: an ordinary notice "RT @author: text" with the original's
// link, both within 140 code points.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { NoticeRecord } from '../../src/domain/lookups.ts';
import { toRepeatParams } from '../../src/federation/omb/mapping.ts';

const config = loadConfig({ PUBLIC_URL: 'https://b.example', DATA_DIR: '/tmp/ostrakon-unit' });

function notice(fields: Partial<NoticeRecord> & { id: number; content: string }): NoticeRecord {
  return {
    rendered: '',
    summary: null,
    isLocal: true,
    uri: null,
    url: null,
    inReplyTo: null,
    conversationId: fields.id,
    source: 'web',
    createdAt: new Date(),
    author: { id: 7, nickname: 'bob', fullname: null, isLocal: true, profileUrl: null, avatarUrl: null, avatarKey: null },
    repeatOf: null,
    favoriteCount: 0,
    attachments: [],
    ...fields,
  };
}

describe('a repeat pushed over OMB', () => {
  it('is the repeat text with the link to a local original, under the repeat’s own URI', () => {
    const params = toRepeatParams(config, notice({ id: 9, content: 'RT @carol: hello', repeatOf: 5 }), notice({ id: 5, content: 'hello' }));
    assert.equal(params.omb_notice_content, 'RT @carol: hello https://b.example/notice/5');
    assert.equal(params.omb_notice, 'https://b.example/notice/9');
    assert.equal(params.omb_listenee, 'https://b.example/user/7');
  });

  it('shortens the text, never the link, to 140 code points', () => {
    const text = `RT @carol: ${'é'.repeat(200)}`;
    const content = toRepeatParams(config, notice({ id: 9, content: text, repeatOf: 5 }), notice({ id: 5, content: 'x' })).omb_notice_content!;
    assert.equal([...content].length, 140);
    assert.match(content, /^RT @carol: é+… https:\/\/b\.example\/notice\/5$/);
  });

  it('links a remote original by its page, and leaves out a link too long to leave room for text', () => {
    const remote = notice({ id: 5, content: 'x', isLocal: false, uri: 'tag:c.example,2008:notice:5', url: 'https://c.example/notice/5' });
    assert.equal(toRepeatParams(config, notice({ id: 9, content: 'RT @dan@c.example: x', repeatOf: 5 }), remote).omb_notice_content, 'RT @dan@c.example: x https://c.example/notice/5');
    const long = notice({ id: 5, content: 'x', isLocal: false, uri: null, url: `https://c.example/${'a'.repeat(100)}` });
    assert.equal(toRepeatParams(config, notice({ id: 9, content: 'RT @dan@c.example: x', repeatOf: 5 }), long).omb_notice_content, 'RT @dan@c.example: x');
  });
});
