// OAuth signatures of the reference walk-through (§7), which StatusNet's own library reproduces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseUrlOf, decodeForm, encodeForm, signatureMatches, signRequest } from '../../src/federation/omb/oauth.ts';
import type { SignInput } from '../../src/federation/omb/oauth.ts';

const V = 'http://openmicroblogging.org/protocol/0.1';
const LICENSE = 'http://creativecommons.org/licenses/by/3.0/';
const B = 'https://b.example/';
const RT = { key: '8d3b5f2e9a1c4b7d6e0f1a2b3c4d5e6f', secret: 'c0ffee00deadbeef0123456789abcdef' };
const AT = { key: '5e2d7c9b1a3f4e6d8c0b2a4f6e8d0c1b', secret: 'a1a2a3a4b5b6b7b8c9c0d1d2e3e4f5f6' };
const BOB = { omb_listenee: 'https://b.example/user/7' };
const NOTICE = {
  omb_version: V,
  ...BOB,
  omb_notice: 'https://b.example/notice/42',
  omb_notice_url: 'https://b.example/notice/42',
  omb_notice_license: LICENSE,
};

const vectors: { name: string; input: SignInput; signature: string }[] = [
  {
    name: 'request token',
    input: { method: 'POST' as const, url: 'https://a.example/omb/requesttoken', consumerKey: B, params: { omb_listener: 'https://a.example/user/1', omb_version: V }, nonce: '9f8e7d6c5b4a39281706f5e4d3c2b1a0', timestamp: 1220000000 },
    signature: '52BDWeP9RkypVUSoZ8y9pvH3YIg=',
  },
  {
    name: 'authorization redirect (signed GET)',
    input: {
      method: 'GET' as const,
      url: 'https://a.example/omb/userauthorization',
      consumerKey: B,
      token: RT,
      params: {
        oauth_callback: 'https://b.example/omb/finishremotesubscribe',
        ...BOB,
        omb_listenee_avatar: 'https://b.example/avatar/7-96.png',
        omb_listenee_bio: 'Writes about birds.',
        omb_listenee_fullname: 'Bob Example',
        omb_listenee_homepage: 'https://bob.example.net/',
        omb_listenee_license: LICENSE,
        omb_listenee_location: 'Montreal, Quebec, Canada',
        omb_listenee_nickname: 'bob',
        omb_listenee_profile: 'https://b.example/bob',
        omb_listener: 'https://a.example/user/1',
        omb_version: V,
      },
      nonce: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      timestamp: 1220000005,
    },
    signature: 'NONeDrQQWbbazmj6V/W9Uesfoag=',
  },
  {
    name: 'access token',
    input: { method: 'POST' as const, url: 'https://a.example/omb/accesstoken', consumerKey: B, token: RT, params: { omb_version: V }, nonce: '1b2c3d4e5f60718293a4b5c6d7e8f90a', timestamp: 1220000060 },
    signature: 'qveRmeJSDHGgxvCCdGUDZT0GamM=',
  },
  {
    name: 'postNotice',
    input: { method: 'POST' as const, url: 'https://a.example/omb/postnotice', consumerKey: B, token: AT, params: { ...NOTICE, omb_notice_content: 'Hello, federated world! #omb' }, nonce: '2c3d4e5f60718293a4b5c6d7e8f90a1b', timestamp: 1220000300 },
    signature: 'S9FXe+FPC2WMWH/T48ljIjTyQAc=',
  },
  {
    name: 'updateProfile with cleared fields',
    input: {
      method: 'POST' as const,
      url: 'https://a.example/omb/updateprofile',
      consumerKey: B,
      token: AT,
      params: {
        omb_version: V,
        ...BOB,
        omb_listenee_avatar: 'https://b.example/avatar/7-96.png',
        omb_listenee_bio: 'Now writes about bees.',
        omb_listenee_fullname: 'Bob Example',
        omb_listenee_homepage: '',
        omb_listenee_license: LICENSE,
        omb_listenee_location: '',
        omb_listenee_nickname: 'bob',
        omb_listenee_profile: 'https://b.example/bob',
      },
      nonce: '3d4e5f60718293a4b5c6d7e8f90a1b2c',
      timestamp: 1220086400,
    },
    signature: 'BBUErtP+5i4Qr2udlFw0AyruUu8=',
  },
];

const special = { ...NOTICE, omb_notice_content: 'Hello & welcome ~ café 100% "quoted" +plus' };
const specialToken = { key: '0123456789abcdef0123456789abcdef', secret: 'fedcba9876543210fedcba9876543210' };

describe('OAuth signatures (reference §7 vectors)', () => {
  for (const vector of vectors) {
    it(`signs the ${vector.name} exactly like StatusNet`, () => {
      const signed = signRequest(vector.input);
      assert.equal(signed.params.oauth_signature, vector.signature);
      assert.equal(signed.params.oauth_signature_method, 'HMAC-SHA1');
      assert.equal(signed.params.oauth_version, '1.0');
      assert.ok(signatureMatches(vector.input.method, signed.url, signed.params, vector.input.token?.secret ?? ''));
    });
  }

  it('signs an SN-style endpoint with a query string, moving the pair into the parameters', () => {
    const signed = signRequest({ method: 'POST', url: 'http://a.example/index.php?action=postnotice', consumerKey: 'http://b.example/', token: specialToken, params: special, nonce: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', timestamp: 1220000000 });
    assert.equal(signed.params.oauth_signature, 'FrurMyi7uZuvQv2lz+DgqUWuSMQ=');
    assert.equal(signed.url, 'http://a.example/index.php');
    assert.equal(signed.params.action, 'postnotice');
  });

  it('encodes characters that need it (RFC 3986) in the same parameters to a query-free URL', () => {
    const signed = signRequest({ method: 'POST', url: 'https://a.example/omb/postnotice', consumerKey: 'http://b.example/', token: specialToken, params: special, nonce: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', timestamp: 1220000000 });
    assert.equal(signed.params.oauth_signature, 'MMKqBblwU5ORT18uJPCQoGEPdNY=');
    // The body survives a round trip through a form decoder ("+" stays a plus, space is %20).
    assert.deepEqual(decodeForm(encodeForm(signed.params)), signed.params);
    assert.match(encodeForm(signed.params), /omb_notice_content=Hello%20%26%20welcome%20~%20caf%C3%A9%20100%25%20%22quoted%22%20%2Bplus/);
  });

  it('rejects a tampered parameter, a wrong token secret and a missing signature', () => {
    const vector = vectors[3]!;
    const signed = signRequest(vector.input);
    assert.equal(signatureMatches('POST', signed.url, { ...signed.params, omb_notice_content: 'Tampered' }, AT.secret), false);
    assert.equal(signatureMatches('POST', signed.url, signed.params, 'another secret'), false);
    assert.equal(signatureMatches('GET', signed.url, signed.params, AT.secret), false);
    assert.equal(signatureMatches('POST', 'https://a.example/omb/postnotice/', signed.params, AT.secret), false);
    const { oauth_signature: _removed, ...unsigned } = signed.params;
    assert.equal(signatureMatches('POST', signed.url, unsigned, AT.secret), false);
  });

  it('builds base URLs without default ports, query or fragment', () => {
    assert.equal(baseUrlOf('https://a.example:443/omb/postnotice?x=1#f'), 'https://a.example/omb/postnotice');
    assert.equal(baseUrlOf('http://a.example:8080/index.php?action=postnotice'), 'http://a.example:8080/index.php');
  });

  it('refuses form bodies that repeat a parameter', () => {
    assert.equal(decodeForm('a=1&a=2'), undefined);
    assert.deepEqual(decodeForm('omb_version=http://openmicroblogging.org/protocol/0.1'), { omb_version: V });
  });
});
