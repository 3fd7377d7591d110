// The feeds' XML writer: whatever a notice contains, the output is well-formed XML.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { el, escapeXml } from '../../src/web/presenters/xml.ts';

describe('XML writer', () => {
  it('escapes markup characters and leaves plain text as it is', () => {
    assert.equal(escapeXml('plain text, nothing to do'), 'plain text, nothing to do');
    assert.equal(escapeXml(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;');
  });

  it('replaces what XML forbids even escaped: control characters, lone surrogates, U+FFFE and U+FFFF', () => {
    assert.equal(escapeXml('a\u0000b\u0008c\u000bd\u001fe'), 'a\ufffdb\ufffdc\ufffdd\ufffde');
    assert.equal(escapeXml('tab\tnewline\ncr\r'), 'tab\tnewline\ncr\r');
    assert.equal(escapeXml('lone \ud83d and \ude00 end'), 'lone \ufffd and \ufffd end');
    assert.equal(escapeXml('pair \ud83d\ude00 kept & escaped'), 'pair \ud83d\ude00 kept &amp; escaped');
    assert.equal(escapeXml('\ufffe\uffff'), '\ufffd\ufffd');
  });

  it('writes elements with escaped attributes and text, leaving out undefined ones', () => {
    assert.equal(el('link', { rel: 'self', href: 'a?b=1&c="2"', type: undefined }).xml, '<link rel="self" href="a?b=1&amp;c=&quot;2&quot;"/>');
    assert.equal(el('entry', {}, el('title', {}, 'x < y'), undefined, 'text').xml, '<entry><title>x &lt; y</title>text</entry>');
  });
});
