// The reference's example XRDS document: we parse it, and we produce it byte for byte.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseXrds, toXrds, XrdsError } from '../../src/federation/omb/xrds.ts';

const reference = readFileSync(path.join(import.meta.dirname, '../fixtures/omb-reference.xrds'), 'utf8');
const alice = {
  requestToken: 'https://a.example/omb/requesttoken',
  authorize: 'https://a.example/omb/userauthorization',
  accessToken: 'https://a.example/omb/accesstoken',
  postNotice: 'https://a.example/omb/postnotice',
  updateProfile: 'https://a.example/omb/updateprofile',
  localId: 'https://a.example/user/1',
};

describe('XRDS documents', () => {
  it('parses the reference example', () => {
    assert.deepEqual(parseXrds(reference), alice);
  });

  it('produces the reference example exactly', () => {
    assert.equal(toXrds(alice), reference);
    assert.doesNotMatch(toXrds(alice), />\s+https?:/, 'no whitespace around values');
  });

  it('reads a StatusNet-style document with query-string endpoints, prefixes and priorities', () => {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>
<x:XRDS xmlns:x="xri://$xrds"><XRD xmlns="xri://$xrd*($v*2.0)" xml:id="oauth" version="2.0">
<Service priority="20"><URI>http://sn.example/index.php?action=requesttoken&amp;x=2</URI><Type>http://oauth.net/core/1.0/endpoint/request</Type><LocalID>http://sn.example/user/4599</LocalID></Service>
<Service priority="10"><URI>http://sn.example/index.php?action=requesttoken</URI><Type>http://oauth.net/core/1.0/endpoint/request</Type><LocalID>
  http://sn.example/user/4599
</LocalID></Service>
<Service><URI priority="5">http://sn.example/index.php?action=userauthorization</URI><URI priority="1">http://sn.example/auth2</URI><Type>http://oauth.net/core/1.0/endpoint/authorize</Type></Service>
<Service><URI>http://sn.example/index.php?action=accesstoken</URI><Type>http://oauth.net/core/1.0/endpoint/access</Type></Service>
</XRD><XRD xmlns="xri://$xrd*($v*2.0)" xml:id="omb" version="2.0">
<Service><URI>http://sn.example/index.php?action=postnotice</URI><Type>http://openmicroblogging.org/protocol/0.1/postNotice</Type></Service>
<Service><URI>http://sn.example/index.php?action=updateprofile</URI><Type>http://openmicroblogging.org/protocol/0.1/updateProfile</Type></Service>
</XRD><XRD xmlns="xri://$xrd*($v*2.0)" version="2.0">
<Service><URI>#oauth</URI><Type>http://oauth.net/discovery/1.0</Type></Service>
<Service><URI>#omb</URI><Type>http://openmicroblogging.org/protocol/0.1</Type></Service>
</XRD></x:XRDS>`;
    assert.deepEqual(parseXrds(doc), {
      requestToken: 'http://sn.example/index.php?action=requesttoken',
      authorize: 'http://sn.example/auth2',
      accessToken: 'http://sn.example/index.php?action=accesstoken',
      postNotice: 'http://sn.example/index.php?action=postnotice',
      updateProfile: 'http://sn.example/index.php?action=updateprofile',
      localId: 'http://sn.example/user/4599',
    });
  });

  const broken: [string, string, RegExp][] = [
    ['not XML', 'hello <', /not well-formed|not an XRDS/],
    ['a DTD with entities', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><XRDS xmlns="xri://$xrds"/>', /DTD/],
    ['another root namespace', reference.replace('<XRDS xmlns="xri://$xrds">', '<XRDS xmlns="urn:other">'), /not an XRDS/],
    ['XRDs in the wrong namespace', reference.replaceAll('xmlns="xri://$xrd*($v*2.0)"', 'xmlns="urn:other"'), /no XRD/],
    ['"id" instead of "xml:id"', reference.replaceAll('xml:id=', 'id='), /points to/],
    ['no LocalID', reference.replace(/<LocalID>.*<\/LocalID>/, ''), /LocalID/],
    ['no postNotice service', reference.replace('http://openmicroblogging.org/protocol/0.1/postNotice', 'urn:x'), /postNotice/],
    ['a javascript: endpoint', reference.replace('https://a.example/omb/accesstoken', 'javascript:alert(1)'), /not an http/],
  ];
  for (const [what, doc, message] of broken) {
    it(`refuses a document with ${what}`, () => {
      assert.throws(() => parseXrds(doc), (error: unknown) => error instanceof XrdsError && message.test(error.message));
    });
  }
});
