// What we send about our users and notices stays inside the limits StatusNet peers accept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { NoticeRecord, ProfileRecord } from '../../src/domain/lookups.ts';
import { toNoticeParams, toProfileParams, toUpdateProfileParams } from '../../src/federation/omb/mapping.ts';
import { truncateBytes } from '../../src/federation/omb/params.ts';

const config = loadConfig({ PUBLIC_URL: 'https://b.example', SESSION_SECRET: 'x'.repeat(32), DATA_DIR: '/nonexistent' });

const profile: ProfileRecord = {
  id: 7,
  nickname: 'bob',
  fullname: 'B'.repeat(300),
  bio: 'é'.repeat(100), // 200 bytes
  location: null,
  homepage: 'javascript:alert(1)',
  isLocal: true,
  uri: null,
  profileUrl: null,
  avatarUrl: null,
  avatarKey: null,
  silencedAt: null,
  suspendedAt: null,
  createdAt: new Date(),
};

describe('outgoing OMB parameters', () => {
  it('names a user by http(s) URLs built from PUBLIC_URL, with the CC-BY 3.0 license', () => {
    const params = toProfileParams(config, profile, 'omb_listenee', false);
    assert.equal(params.omb_listenee, 'https://b.example/user/7');
    assert.equal(params.omb_listenee_profile, 'https://b.example/bob');
    assert.equal(params.omb_listenee_nickname, 'bob');
    assert.equal(params.omb_listenee_license, 'http://creativecommons.org/licenses/by/3.0/');
  });

  it('cuts long fields to their byte limits on character boundaries, and drops unsafe URLs', () => {
    const params = toProfileParams(config, profile, 'omb_listenee', false);
    assert.equal(Buffer.byteLength(params.omb_listenee_fullname!), 255);
    assert.equal(params.omb_listenee_bio, 'é'.repeat(70));
    assert.equal(params.omb_listenee_homepage, undefined);
    assert.equal(params.omb_listenee_location, undefined, 'empty fields are left out of an authorization');
    assert.equal(params.omb_listenee_avatar, undefined, 'no avatar, no parameter');
    assert.equal(truncateBytes('aé', 2), 'a');
  });

  it('trims a 140-character bio to 140 bytes without splitting a code point (astral characters included)', () => {
    const bio = `a${'😀'.repeat(139)}`; // 140 code points, 557 bytes
    const params = toUpdateProfileParams(config, { ...profile, bio });
    assert.equal(params.omb_listenee_bio, `a${'😀'.repeat(34)}`);
    assert.ok(Buffer.byteLength(params.omb_listenee_bio!) <= 140);
    assert.doesNotMatch(params.omb_listenee_bio!, /\uFFFD/);
  });

  it('sends the absolute 96 px avatar URL, which changes with the picture', () => {
    const key = 'ab'.repeat(16);
    const params = toUpdateProfileParams(config, { ...profile, avatarKey: key });
    assert.equal(params.omb_listenee_avatar, `https://b.example/bob/avatar/96?v=${key}`);
    const other = toUpdateProfileParams(config, { ...profile, avatarKey: 'cd'.repeat(16) });
    assert.notEqual(other.omb_listenee_avatar, params.omb_listenee_avatar);
  });

  it('sends every field of a profile update, blanks included, with the license', () => {
    const params = toUpdateProfileParams(config, { ...profile, homepage: null, bio: null });
    assert.equal(params.omb_version, 'http://openmicroblogging.org/protocol/0.1');
    assert.equal(params.omb_listenee_homepage, '');
    assert.equal(params.omb_listenee_bio, '');
    assert.equal(params.omb_listenee_location, '');
    assert.equal(params.omb_listenee_license, 'http://creativecommons.org/licenses/by/3.0/');
  });

  it('describes a notice by its permalink, as plain text of at most 140 characters', () => {
    const notice: NoticeRecord = {
      id: 42,
      content: `${'x'.repeat(139)}é and more`,
      rendered: '',
      summary: null,
      isLocal: true,
      uri: null,
      url: null,
      inReplyTo: null,
      conversationId: 42,
      source: 'web',
      createdAt: new Date(),
      author: { id: 7, nickname: 'bob', fullname: null, isLocal: true, profileUrl: null, avatarUrl: null, avatarKey: null },
      repeatOf: null,
      favoriteCount: 0,
      attachments: [],
    };
    const params = toNoticeParams(config, notice);
    assert.equal(params.omb_notice, 'https://b.example/notice/42');
    assert.equal(params.omb_notice_url, 'https://b.example/notice/42');
    assert.equal(params.omb_listenee, 'https://b.example/user/7');
    assert.equal([...params.omb_notice_content!].length, 140);
  });
});
