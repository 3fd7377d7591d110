// Strict form decoding: the bytes of every name and value must be UTF-8, after percent-decoding;
// what is not is kept as InvalidText (never a string), with a lossy copy to show the person.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidText, isInvalidText, parseFormStrict, readForm } from '../../src/form-encoding.ts';
import { decodeForm } from '../../src/federation/omb/oauth.ts';
import { HttpError } from '../../src/errors.ts';

const valid: [string, string][] = [
  ['a=hello', 'hello'],
  ['a=h%C3%A9llo+w%C3%B6rld', 'héllo wörld'],
  ['a=%E2%82%AC', '€'],
  ['a=%F0%9F%98%80', '😀'],
  ['a=%EF%BF%BD', '\uFFFD'], // a replacement character someone typed is text
  ['a=%F4%8F%BF%BF', '\u{10FFFF}'],
  ['a=100%', '100%'], // malformed escapes stay as they are
  ['a=%zz%4', '%zz%4'],
  ['a=%2B%26%3D', '+&='],
];

const invalid: [string, string | Buffer][] = [
  ['raw bytes', Buffer.from([0x61, 0x3d, 0xff, 0xfe])],
  ['escaped bytes', 'a=%FF%FE'],
  ['an encoded surrogate', 'a=%ED%A0%80'],
  ['a low surrogate', 'a=%ED%B0%80'],
  ['overlong two bytes', 'a=%C0%AF'],
  ['overlong three bytes', 'a=%E0%80%AF'],
  ['overlong four bytes', 'a=%F0%80%80%AF'],
  ['past U+10FFFF', 'a=%F4%90%80%80'],
  ['F5 lead byte', 'a=%F5%80%80%80'],
  ['cut off', 'a=%E2%82'],
  ['cut off by a separator', 'a=%E2%82&b=%AC'],
  ['a lone continuation byte', 'a=%80'],
];

describe('parseFormStrict', () => {
  for (const [input, expected] of valid) {
    it(`reads ${input} as ${JSON.stringify(expected)}`, () => {
      assert.equal(parseFormStrict(input).a, expected);
    });
  }
  for (const [what, input] of invalid) {
    it(`keeps ${what} as invalid text`, () => {
      const value = parseFormStrict(input).a;
      assert.ok(isInvalidText(value));
      assert.match(value.lossy, /\uFFFD/);
      assert.throws(() => `${value as unknown as string}`, TypeError, 'never usable as a string by accident');
      assert.throws(() => JSON.stringify({ value }), TypeError);
    });
  }

  it('collects repeated names in a list and has no prototype', () => {
    const form = parseFormStrict('a=1&a=2&__proto__=x&&b');
    assert.deepEqual(form.a, ['1', '2']);
    assert.equal(form.__proto__, 'x');
    assert.equal(form.b, '');
    assert.equal(Object.getPrototypeOf(form), null);
  });

  it('refuses a field name that is not UTF-8, and too many fields', () => {
    assert.throws(() => parseFormStrict('%FF=1'), (error: unknown) => error instanceof HttpError && error.status === 400);
    assert.throws(() => parseFormStrict('a=1&b=2&c=3', 2), (error: unknown) => error instanceof HttpError && error.status === 413);
  });
});

describe('readForm', () => {
  it('gives the fields as typed and an error naming each field that was not UTF-8', () => {
    const { fields, invalid } = readForm(parseFormStrict('content=hi%FF&other=ok'), ['content', 'other', 'missing']);
    assert.deepEqual(fields, { content: 'hi\uFFFD', other: 'ok', missing: '' });
    assert.equal(invalid?.status, 400);
    assert.deepEqual(Object.keys(invalid!.fields), ['content']);
    assert.equal(readForm({ a: 'x' }, ['a']).invalid, undefined);
    assert.throws(() => readForm({ a: ['x', 'y'] }, ['a']), HttpError);
    assert.ok(new InvalidText('x') instanceof InvalidText);
  });
});

describe('decodeForm (answers from other servers)', () => {
  it('refuses token answers that are not UTF-8, raw or escaped', () => {
    assert.deepEqual(decodeForm('oauth_token=a&oauth_token_secret=b\n'), { oauth_token: 'a', oauth_token_secret: 'b' });
    assert.deepEqual(decodeForm(Buffer.from(' oauth_token=%C3%A9 ')), { oauth_token: 'é' });
    assert.equal(decodeForm('oauth_token=%FF&oauth_token_secret=b'), undefined);
    assert.equal(decodeForm(Buffer.from([0x61, 0x3d, 0xff])), undefined);
  });
});
