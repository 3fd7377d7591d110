import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  codePointLength,
  escapeHtml,
  mentionedNicknames,
  noticeTags,
  renderNoticeHtml,
  tokenizeNotice,
} from '../../src/domain/notice-text.ts';

const links = {
  profileUrl: (nickname: string) => (nickname === 'alice' ? `http://x.test/${nickname}` : undefined),
  tagUrl: (tag: string) => `http://x.test/tag/${encodeURIComponent(tag)}`,
};

const render = (text: string) => renderNoticeHtml(tokenizeNotice(text), links);

describe('notice text', () => {
  it('escapes HTML in plain text', () => {
    assert.equal(render('<script>alert("x")</script> & co'), '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; co');
  });

  it('links http and https URLs and leaves other schemes as text', () => {
    assert.equal(
      render('see https://example.org/a?b=1&c=2 now'),
      'see <a href="https://example.org/a?b=1&#38;c=2" rel="nofollow noopener" class="notice-link">https://example.org/a?b=1&#38;c=2</a> now',
    );
    assert.equal(render('javascript:alert(1) data:text/html,x'), 'javascript:alert(1) data:text/html,x');
  });

  it('keeps trailing punctuation and unbalanced brackets out of URLs', () => {
    const tokens = tokenizeNotice('(see http://example.org/wiki/A_(b)), and http://example.org/x.');
    const urls = tokens.flatMap((t) => (t.kind === 'url' ? [t.href] : []));
    assert.deepEqual(urls, ['http://example.org/wiki/A_(b)', 'http://example.org/x']);
  });

  it('does not turn an attribute-breaking quote into part of a link', () => {
    const html = render('http://example.org/"onmouseover="alert(1)');
    assert.match(html, /href="http:\/\/example\.org\/"/);
    assert.doesNotMatch(html, /onmouseover="/);
  });

  it('links mentions of known people only, and lowercases nicknames', () => {
    assert.equal(render('hi @Alice and @bob'), 'hi @<a href="http://x.test/alice" class="mention">Alice</a> and @bob');
    assert.deepEqual(mentionedNicknames(tokenizeNotice('@alice @ALICE @bob')), ['alice', 'bob']);
  });

  it('reads @user@host as one mention of someone elsewhere, host and port included, punctuation left out', () => {
    assert.deepEqual(mentionedNicknames(tokenizeNotice('hi @Bob@Example.Social. and @dev_1@127.0.0.1:3000, @alice')), ['bob@example.social', 'dev_1@127.0.0.1:3000', 'alice']);
    const known = { ...links, profileUrl: (name: string) => (name === 'bob@example.social' ? 'https://example.social/@bob' : undefined) };
    assert.equal(renderNoticeHtml(tokenizeNotice('(@bob@example.social)'), known), '(@<a href="https://example.social/@bob" class="mention">bob@example.social</a>)');
    assert.equal(render('@carol@example.social'), '@carol@example.social', 'nobody known by that handle: text');
  });

  it('ignores e-mail addresses as mentions', () => {
    assert.deepEqual(mentionedNicknames(tokenizeNotice('mail me at me@alice.org')), []);
  });

  it('indexes tags in canonical form and links them', () => {
    const tokens = tokenizeNotice('#Laconica rocks, #open-source. #日本 c# &#39;');
    assert.deepEqual(noticeTags(tokens), ['laconica', 'open-source', '日本']);
    assert.match(render('#Laconica!'), /^#<a href="http:\/\/x\.test\/tag\/laconica" rel="tag" class="hashtag">Laconica<\/a>!$/);
  });

  it('keeps # and @ inside URLs as part of the URL', () => {
    const tokens = tokenizeNotice('http://example.org/page#section @alice');
    assert.deepEqual(tokens.map((t) => t.kind), ['url', 'text', 'mention']);
  });

  it('counts code points, not UTF-16 units', () => {
    assert.equal(codePointLength('😀😀'), 2);
    assert.equal(codePointLength('abc'), 3);
  });

  it('escapes quotes and apostrophes', () => {
    assert.equal(escapeHtml(`"'`), '&#34;&#39;');
  });
});
