// How the chat bot reads a message (command, usage, unknown command or notice), and which Jabber
// IDs it accepts; no database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeJid } from '../../src/domain/im-addresses.ts';
import { parseChatMessage } from '../../src/im/commands.ts';
import { noticeMessage } from '../../src/im/messages.ts';

const kind = (text: string) => parseChatMessage(text).kind;

describe('chat messages', () => {
  it('reads command words without case, with or without a leading slash', () => {
    for (const text of ['help', 'HELP', ' Help ', '/help', 'stats', 'on', 'OFF', 'follow bob', 'Sub @bob', 'unsub bob', 'leave bob', 'get bob', 'whois bob', 'fav 12', 'd bob hi there', 'reply 12 yes, indeed', 'reply #12 yes']) {
      assert.equal(kind(text), 'command', text);
    }
    const reply = parseChatMessage('reply 12 yes,\nindeed');
    assert.ok(reply.kind === 'command' && reply.word === '12' && reply.text === 'yes,\nindeed');
  });

  it('takes a command word followed by more than it takes for a notice, as Laconica did', () => {
    for (const text of ['on my way', 'help me please', 'get coffee now', 'stats are fun', 'follow the white rabbit', 'hello', '@bob hi', 'd', 'd. is a letter']) {
      assert.equal(kind(text), text === 'd' ? 'usage' : 'notice', text);
    }
  });

  it('gives the usage of a command missing what it needs, and calls "/word" an unknown command', () => {
    assert.deepEqual(parseChatMessage('follow'), { kind: 'usage', usage: 'follow <nickname>' });
    assert.deepEqual(parseChatMessage('reply 12'), { kind: 'usage', usage: 'reply <notice id> <text>' });
    assert.deepEqual(parseChatMessage('/stats now'), { kind: 'usage', usage: 'stats' });
    assert.deepEqual(parseChatMessage('/dance'), { kind: 'unknown', word: 'dance' });
    assert.deepEqual(parseChatMessage('/constructor'), { kind: 'unknown', word: 'constructor' });
    assert.equal(kind('constructor'), 'notice');
    assert.equal(kind('/'), 'unknown');
  });
});

describe('Jabber IDs', () => {
  it('keeps the bare address, in lower case', () => {
    assert.equal(normalizeJid('Alice@Example.ORG'), 'alice@example.org');
    assert.equal(normalizeJid(' alice@example.org/Gajim '), 'alice@example.org');
    assert.equal(normalizeJid('xmpp:alice@example.org'), 'alice@example.org');
    assert.equal(normalizeJid('alice@localhost'), 'alice@localhost');
  });

  it('refuses what is no Jabber ID', () => {
    for (const raw of ['', 'alice', '@example.org', 'alice@', 'alice at example.org', 'al ice@example.org', 'alice@exa mple.org', 'a"b@example.org', 'a<b@example.org', 'alice@-example.org', 'alice@example..org', `a\u0000b@example.org`, `${'a'.repeat(257)}@example.org`]) {
      assert.equal(normalizeJid(raw), undefined, JSON.stringify(raw));
    }
  });
});

describe('notices as chat messages', () => {
  const facts = { handle: 'dana@elsewhere.example', content: 'The text', warning: null, pictures: 0, url: 'https://here.example/notice/7', noticeId: 7 };

  it('shows "nickname: text", the pictures counted, and the link', () => {
    assert.equal(noticeMessage(facts), 'dana@elsewhere.example: The text\nhttps://here.example/notice/7');
    assert.equal(noticeMessage({ ...facts, pictures: 2 }), 'dana@elsewhere.example: The text [2 pictures]\nhttps://here.example/notice/7');
  });

  it('keeps the text of a notice behind a content warning out of the chat', () => {
    const message = noticeMessage({ ...facts, warning: 'spoilers', content: 'The butler did it' });
    assert.equal(message, 'dana@elsewhere.example: [spoilers] (content warning: the notice is behind the link)\nhttps://here.example/notice/7');
  });
});
