// omb_notice_content with pictures: links to their pages after the text, within 140 code points.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ombNoticeContent, OMB_CONTENT_MAX } from '../../src/federation/omb/notice-content.ts';
import type { AttachmentRecord } from '../../src/db/records.ts';

const SITE = 'https://b.example';

function pictures(count: number, firstId = 1001): AttachmentRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    state: 'ready',
    fileKey: 'a'.repeat(32),
    mediaType: 'image/png',
    width: 10,
    height: 10,
    thumbWidth: 10,
    thumbHeight: 10,
    alt: '',
    remoteUrl: null,
  }));
}

const link = (id: number) => `${SITE}/attachment/${id}`; // 33 characters for a four-digit id
const length = (text: string) => [...text].length;

describe('omb_notice_content', () => {
  it('is the text alone without pictures, cut with an ellipsis past 140 code points', () => {
    assert.equal(ombNoticeContent(SITE, { content: 'Hello', attachments: [] }), 'Hello');
    const long = ombNoticeContent(SITE, { content: `${'é'.repeat(150)}`, attachments: [] });
    assert.equal(length(long), 140);
    assert.ok(long.endsWith('é…'));
  });

  it('appends a link to each picture’s page after the text', () => {
    assert.equal(ombNoticeContent(SITE, { content: 'Look #cats', attachments: pictures(2) }), `Look #cats ${link(1001)} ${link(1002)}`);
  });

  it('is the links alone for pictures without text, all four when they fit', () => {
    const content = ombNoticeContent(SITE, { content: '', attachments: pictures(4) });
    assert.equal(content, [1001, 1002, 1003, 1004].map(link).join(' '));
    assert.ok(length(content) <= OMB_CONTENT_MAX);
  });

  it('shortens the text to make room for the links, counting code points', () => {
    const content = ombNoticeContent(SITE, { content: '🐈'.repeat(140), attachments: pictures(1) });
    assert.equal(length(content), 140);
    assert.equal(content, `${'🐈'.repeat(105)}… ${link(1001)}`);
  });

  it('keeps a readable start of the text, leaving out the links that do not fit', () => {
    const content = ombNoticeContent(SITE, { content: 'x'.repeat(140), attachments: pictures(4) });
    assert.equal(content, `${'x'.repeat(71)}… ${link(1001)} ${link(1002)}`);
    assert.equal(length(content), 140);
  });

  it('never exceeds 140 code points nor comes out empty, whatever the text and pictures', () => {
    for (let textLength = 0; textLength <= 200; textLength += 7) {
      for (let count = 0; count <= 4; count++) {
        if (textLength === 0 && count === 0) continue;
        for (const site of [SITE, `https://${'long-host-name.'.repeat(8)}example`]) {
          const content = ombNoticeContent(site, { content: 'word '.repeat(40).slice(0, textLength).trim(), attachments: pictures(count, 7) });
          assert.ok(length(content) >= 1 && length(content) <= OMB_CONTENT_MAX, `${textLength} characters, ${count} pictures: ${length(content)}`);
          if (count > 0 && length(`${site}/attachment/7`) < 100) assert.ok(content.includes(`${site}/attachment/7`), 'the first picture is always linked');
        }
      }
    }
  });
});
