// Helmet's headers are worked out once at start-up: the same headers helmet itself would set, and
// options whose headers depend on the request are refused rather than frozen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helmetHeaders } from '../../src/web/middleware/security-headers.ts';

describe('security headers', () => {
  it('lists what helmet sets: the policy given, and HSTS only when asked', () => {
    const plain = new Map(helmetHeaders({ contentSecurityPolicy: { useDefaults: true, directives: { 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null } }, strictTransportSecurity: false }));
    assert.match(plain.get('Content-Security-Policy')!, /img-src 'self' data:/);
    assert.doesNotMatch(plain.get('Content-Security-Policy')!, /upgrade-insecure-requests/);
    assert.equal(plain.get('X-Content-Type-Options'), 'nosniff');
    assert.equal(plain.get('X-Frame-Options'), 'SAMEORIGIN');
    assert.equal(plain.has('Strict-Transport-Security'), false);
    const secure = new Map(helmetHeaders({ strictTransportSecurity: true }));
    assert.match(secure.get('Strict-Transport-Security')!, /max-age=\d+/);
  });

  it('refuses options whose headers would be computed per request', () => {
    const nonce = (_req: unknown, res: { locals: { nonce: string } }) => `'nonce-${res.locals.nonce}'`;
    assert.throws(() => helmetHeaders({ contentSecurityPolicy: { directives: { 'script-src': ["'self'", nonce as never] } } }));
  });
});
