// The binding rules of remote identities: which URIs count as one site, which identities and
// notices a site may claim, and which discovered services belong to an identifier.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNoticeOrigin, checkRemoteIdentity, RemoteOriginError, sameSite, siteName } from '../../src/domain/remote-origins.ts';
import { checkDiscoveredServices } from '../../src/federation/omb/binding.ts';

describe('one site', () => {
  const same: [string, string][] = [
    ['http://identi.ca/user/4599', 'http://identi.ca/evan'], // StatusNet: identifier and profile differ in path only
    ['http://identi.ca/user/4599', 'http://identi.ca/index.php?action=postnotice'],
    ['http://identi.ca/user/4599', 'http://identi.ca/'], // the consumer key
    ['http://Identi.CA/user/1', 'http://identi.ca/evan'], // host names are case-insensitive
    ['http://identi.ca:80/user/1', 'http://identi.ca/evan'], // a default port is no port
    ['http://identi.ca/user/1', 'https://identi.ca/evan'], // a site that moved to https stays itself
    ['http://127.0.0.1:4000/user/1', 'http://127.0.0.1:4000/bob'],
    ['tag:identi.ca,2008:notice:1', 'http://identi.ca/evan'], // a tag's authority is a host name
    ['tag:evan@identi.ca,2008-07:notice:1', 'http://identi.ca/evan'], // an e-mail authority counts by its domain
    ['tag:Identi.ca,2008-07-01:1', 'tag:identi.ca,2009:2'],
  ];
  for (const [one, other] of same) it(`${one} and ${other}`, () => assert.ok(sameSite(one, other) && sameSite(other, one)));

  const different: [string, string][] = [
    ['http://identi.ca/user/1', 'http://evil.example/evan'],
    ['http://127.0.0.1:4000/user/1', 'http://127.0.0.1:4001/bob'], // another port is another server
    ['http://identi.ca/user/1', 'http://www.identi.ca/evan'],
    ['http://identi.ca/user/1', 'http://identi.ca.evil.example/evan'],
    ['http://identi.ca@evil.example/user/1', 'http://identi.ca/evan'], // user info is not the host
    ['http://identi.ca:443/user/1', 'https://identi.ca/evan'],
    ['tag:evil.example,2008:notice:1', 'http://identi.ca/evan'],
    ['tag:identi.ca.evil.example,2008:1', 'http://identi.ca/evan'],
    ['tag:identi.ca:2008:1', 'http://identi.ca/evan'], // not a tag URI
    ['urn:uuid:1', 'urn:uuid:1'],
    ['javascript:alert(1)', 'http://identi.ca/'],
    ['', 'http://identi.ca/'],
    ['not a url', 'http://identi.ca/'],
    ['http://identi.ca/', 'identi.ca'], // a consumer key that is not a URL
  ];
  for (const [one, other] of different) it(`not ${one} and ${other}`, () => assert.ok(!sameSite(one, other) && !sameSite(other, one)));

  it('names a site as people read it', () => {
    assert.equal(siteName('http://127.0.0.1:4000/bob'), '127.0.0.1:4000');
    assert.equal(siteName('https://identi.ca:443/evan'), 'identi.ca');
    assert.equal(siteName('tag:identi.ca,2008:1'), 'identi.ca');
  });
});

describe('remote identities', () => {
  it('accepts an identifier and profile on one site', () => {
    checkRemoteIdentity({ uri: 'http://identi.ca/user/4599', profileUrl: 'http://identi.ca/evan' });
    checkRemoteIdentity({ uri: 'tag:identi.ca,2008:user:4599', profileUrl: 'http://identi.ca/evan' });
  });

  it('refuses another site’s profile URL under one’s own identifier, and the reverse', () => {
    assert.throws(() => checkRemoteIdentity({ uri: 'http://evil.example/user/1', profileUrl: 'http://identi.ca/evan' }), RemoteOriginError);
    assert.throws(() => checkRemoteIdentity({ uri: 'http://identi.ca/user/4599', profileUrl: 'http://evil.example/evan' }), RemoteOriginError);
    assert.throws(() => checkRemoteIdentity({ uri: 'tag:identi.ca,2008:user:1', profileUrl: 'http://evil.example/evan' }), RemoteOriginError);
  });
});

describe('remote notices', () => {
  const evan = { uri: 'http://identi.ca/user/4599', profileUrl: 'http://identi.ca/evan' };

  it('accepts URIs and URLs on the author’s site', () => {
    checkNoticeOrigin(evan, { uri: 'http://identi.ca/notice/42', url: 'http://identi.ca/notice/42' });
    checkNoticeOrigin(evan, { uri: 'tag:identi.ca,2008:notice:42', url: null });
    checkNoticeOrigin({ uri: 'tag:identi.ca,2008:user:4599', profileUrl: 'http://identi.ca/evan' }, { uri: 'http://identi.ca/notice/42', url: null });
  });

  it('refuses a URI or URL of another site, with a 400 that does not end the subscription', () => {
    for (const notice of [
      { uri: 'http://evil.example/notice/42', url: null },
      { uri: 'tag:evil.example,2008:notice:42', url: null },
      { uri: 'http://identi.ca/notice/42', url: 'http://evil.example/notice/42' },
    ]) {
      assert.throws(
        () => checkNoticeOrigin(evan, notice),
        (error: unknown) => error instanceof RemoteOriginError && error.status === 400 && /not on the site of its author \(identi\.ca\)/.test(error.message),
      );
    }
    // From the other side: a server cannot store a notice under identi.ca's URIs.
    assert.throws(() => checkNoticeOrigin({ uri: 'http://evil.example/user/1', profileUrl: 'http://evil.example/mallory' }, { uri: 'http://identi.ca/notice/43', url: null }), RemoteOriginError);
  });
});

describe('discovered OMB services', () => {
  const statusnet = {
    requestToken: 'http://identi.ca/index.php?action=requesttoken',
    authorize: 'http://identi.ca/index.php?action=userauthorization',
    accessToken: 'http://identi.ca/index.php?action=accesstoken',
    postNotice: 'http://identi.ca/index.php?action=postnotice',
    updateProfile: 'http://identi.ca/index.php?action=updateprofile',
    localId: 'http://identi.ca/user/4599',
  };

  it('accepts StatusNet’s layout', () => checkDiscoveredServices(statusnet));

  for (const name of ['requestToken', 'authorize', 'accessToken', 'postNotice', 'updateProfile'] as const) {
    it(`refuses a ${name} endpoint on another site than the identifier`, () => {
      assert.throws(() => checkDiscoveredServices({ ...statusnet, [name]: 'http://evil.example/omb' }), RemoteOriginError);
    });
  }

  it('refuses an identifier of another site behind one’s own endpoints', () => {
    assert.throws(() => checkDiscoveredServices({ ...statusnet, localId: 'http://a.example/user/1' }), /not on the site of the identifier/);
  });
});
