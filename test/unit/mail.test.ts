import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailProblem, isSendableAddress } from '../../src/domain/email-addresses.ts';
import { sanitizeMessage } from '../../src/mail/mailer.ts';
import { subscriberMessage } from '../../src/mail/messages.ts';

describe('mail headers', () => {
  it('flattens every control character of a subject to one line', () => {
    const safe = sanitizeMessage({ to: 'a@example.org', subject: 'Hi\r\nBcc: eve@example.org\n\tX: 1\u2028y', text: 'line\r\nnext' });
    assert.deepEqual(safe, { to: 'a@example.org', subject: 'Hi Bcc: eve@example.org X: 1 y', text: 'line\nnext' });
  });

  it('sends only to one plain address', () => {
    for (const to of ['a@example.org\r\nBcc: eve@example.org', 'a@example.org, eve@example.org', 'A <a@example.org>', 'a@example.org;eve@example.org', '"a b"@example.org', 'a@localhost', 'a@-example.org', '']) {
      assert.equal(sanitizeMessage({ to, subject: 's', text: 't' }), undefined, to);
      assert.equal(isSendableAddress(to), false, to);
    }
    for (const to of ['a@example.org', "o'brien+tag@mail.example.co.uk", 'UPPER@Example.ORG']) assert.equal(isSendableAddress(to), true, to);
    assert.equal(emailProblem(''), undefined);
    assert.match(emailProblem('x'.repeat(250) + '@example.org') ?? '', /does not look like/);
  });

  it('words a new-subscriber email in plain text with the person’s full name and nickname', () => {
    const message = subscriberMessage('Agora', {
      to: 'a@example.org',
      nickname: 'alice',
      subscriber: { nickname: 'bob', fullname: 'Bob B.', url: 'https://b.example/bob', isLocal: false },
      settingsUrl: 'https://a.example/settings/email',
    });
    assert.equal(message.subject, 'Bob B. (bob) is now listening to your notices on Agora');
    assert.match(message.text, /^Hello alice,\n/);
    assert.match(message.text, /Their profile: https:\/\/b\.example\/bob/);
  });
});
