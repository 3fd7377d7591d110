import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.noticeMaxLength, 140);
    assert.equal(config.registration, 'open');
    assert.equal(config.role, 'all');
    assert.equal(config.allowPrivateAddresses, false, 'outbound requests never reach private addresses unless asked');
    assert.equal(config.deliveryRetrySeconds, 30);
    assert.ok(Object.isFrozen(config));
  });

  it('generates the session secret once and keeps it in DATA_DIR', () => {
    const first = loadConfig({ DATA_DIR: dataDir }).sessionSecret;
    const second = loadConfig({ DATA_DIR: dataDir }).sessionSecret;
    assert.equal(first, second);
    assert.equal(readFileSync(path.join(dataDir, 'session-secret'), 'utf8').trim(), first);
    assert.ok(first.length >= 32);
  });

  it('derives PUBLIC_URL from PORT and strips a trailing slash', () => {
    assert.equal(loadConfig({ DATA_DIR: dataDir, PORT: '8080' }).publicUrl, 'http://localhost:8080');
    assert.equal(loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://social.example/' }).publicUrl, 'https://social.example');
  });

  it('reads the email settings: no SMTP_URL means the log; the From address defaults to noreply at the site', () => {
    const plain = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://social.example', SITE_NAME: 'Agora' });
    assert.equal(plain.smtpUrl, undefined);
    assert.equal(plain.mailFrom, '"Agora" <noreply@social.example>');
    const smtp = loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'smtps://user:secret@mail.example:465', MAIL_FROM: 'Agora <hello@social.example>' });
    assert.equal(smtp.smtpUrl, 'smtps://user:secret@mail.example:465');
    assert.equal(smtp.mailFrom, 'Agora <hello@social.example>');
    assert.throws(() => loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'http://user:secret@mail.example' }), (error: Error) => error instanceof ConfigError && /SMTP_URL/.test(error.message) && !/secret/.test(error.message));
    assert.throws(() => loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'not a url' }), /SMTP_URL/);
    assert.throws(() => loadConfig({ DATA_DIR: dataDir, MAIL_FROM: 'a@example.org\r\nBcc: eve@example.org' }), /MAIL_FROM/);
    assert.throws(() => loadConfig({ DATA_DIR: dataDir, MAIL_FROM: 'nobody' }), /MAIL_FROM/);
  });

  it('reads the federation settings', () => {
    const config = loadConfig({ DATA_DIR: dataDir, ALLOW_PRIVATE_ADDRESSES: 'true', DELIVERY_RETRY_SECONDS: '5' });
    assert.equal(config.allowPrivateAddresses, true);
    assert.equal(config.deliveryRetrySeconds, 5);
    assert.equal(loadConfig({ DATA_DIR: dataDir, ALLOW_PRIVATE_ADDRESSES: 'false' }).allowPrivateAddresses, false);
  });

  it('reads the avatar byte limit, 2 MB by default', () => {
    assert.equal(loadConfig({ DATA_DIR: dataDir }).avatarMaxBytes, 2 * 1024 * 1024);
    assert.equal(loadConfig({ DATA_DIR: dataDir, AVATAR_MAX_BYTES: '500000' }).avatarMaxBytes, 500000);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ AVATAR_MAX_BYTES: '2MB' }, /AVATAR_MAX_BYTES/],
    [{ AVATAR_MAX_BYTES: '10' }, /AVATAR_MAX_BYTES/],
    [{ ALLOW_PRIVATE_ADDRESSES: 'yes' }, /ALLOW_PRIVATE_ADDRESSES/],
    [{ DELIVERY_RETRY_SECONDS: '0' }, /DELIVERY_RETRY_SECONDS/],
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL/],
    [{ PUBLIC_URL: 'not a url' }, /PUBLIC_URL/],
    [{ NOTICE_MAX_LENGTH: '0' }, /NOTICE_MAX_LENGTH/],
    [{ REGISTRATION: 'maybe' }, /REGISTRATION/],
    [{ ROLE: 'boss' }, /ROLE/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ SESSION_SECRET: 'short' }, /SESSION_SECRET/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} naming the variable`, () => {
      assert.throws(() => loadConfig({ DATA_DIR: dataDir, ...env }), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }
});

describe('operations settings', () => {
  it('bounds shutdown and job recovery, with defaults', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir });
    assert.equal(defaults.shutdownTimeoutSeconds, 10);
    assert.equal(defaults.jobRecoverySeconds, 30);
    const set = loadConfig({ DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_SECONDS: '25', JOB_RECOVERY_SECONDS: '12' });
    assert.equal(set.shutdownTimeoutSeconds, 25);
    assert.equal(set.jobRecoverySeconds, 12);
  });

  for (const [env, message] of [
    [{ SHUTDOWN_TIMEOUT_SECONDS: '0' }, /SHUTDOWN_TIMEOUT_SECONDS/],
    [{ SHUTDOWN_TIMEOUT_SECONDS: 'soon' }, /SHUTDOWN_TIMEOUT_SECONDS/],
    [{ JOB_RECOVERY_SECONDS: '5' }, /JOB_RECOVERY_SECONDS/], // pg-boss heartbeats need at least 10 s
  ] as const) {
    it(`refuses ${JSON.stringify(env)} naming the variable`, () => {
      assert.throws(() => loadConfig({ DATA_DIR: dataDir, ...env }), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }
});

describe('moderation settings', () => {
  it('reads the registration modes and limits, with defaults', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir });
    assert.deepEqual(
      [defaults.registration, defaults.invitesByUsers, defaults.inviteDays, defaults.noticesPerHour, defaults.registrationsPerDay, defaults.reportsPerDay, defaults.duplicateNoticeMinutes],
      ['open', false, 7, 60, 5, 20, 5],
    );
    for (const mode of ['open', 'closed', 'invite', 'approval']) assert.equal(loadConfig({ DATA_DIR: dataDir, REGISTRATION: mode }).registration, mode);
    const set = loadConfig({ DATA_DIR: dataDir, INVITES_BY_USERS: 'true', NOTICES_PER_HOUR: '5', DUPLICATE_NOTICE_MINUTES: '0' });
    assert.deepEqual([set.invitesByUsers, set.noticesPerHour, set.duplicateNoticeMinutes], [true, 5, 0]);
  });

  for (const [name, value] of [['INVITES_BY_USERS', 'yes'], ['INVITE_DAYS', '0'], ['NOTICES_PER_HOUR', '0'], ['REGISTRATIONS_PER_DAY', 'many'], ['REPORTS_PER_DAY', '-1'], ['DUPLICATE_NOTICE_MINUTES', '2000']]) {
    it(`refuses ${name}=${value} naming the variable`, () => {
      assert.throws(() => loadConfig({ DATA_DIR: dataDir, [name!]: value! }), (error: unknown) => error instanceof ConfigError && error.message.includes(name!));
    });
  }
});

describe('instant messaging settings', () => {
  const xmpp = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env }).xmpp;
  const bot = { XMPP_SERVICE: 'xmpp://chat.example:5222', XMPP_JID: 'Bot@Chat.Example', XMPP_PASSWORD: 'secret' };

  it('leaves IM off when none of the XMPP settings is given', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.xmpp, undefined);
    assert.equal(config.xmppReceivePerMinute, 20);
    assert.equal(config.xmppSendPerMinute, 30);
  });

  it('requires TLS by default and keeps the bare JID in lower case', () => {
    assert.deepEqual(xmpp(bot), { service: 'xmpp://chat.example:5222', jid: 'bot@chat.example', password: 'secret', tls: 'require' });
    assert.equal(xmpp({ ...bot, XMPP_SERVICE: 'xmpps://chat.example' })?.service, 'xmpps://chat.example:5223');
    assert.equal(xmpp({ ...bot, XMPP_SERVICE: 'xmpp://chat.example' })?.service, 'xmpp://chat.example:5222');
  });

  it('allows a plain stream only to this machine', () => {
    assert.equal(xmpp({ ...bot, XMPP_SERVICE: 'xmpp://127.0.0.1:5222', XMPP_TLS: 'plain' })?.tls, 'plain');
    assert.equal(xmpp({ ...bot, XMPP_SERVICE: 'xmpp://[::1]:5222', XMPP_TLS: 'plain' })?.tls, 'plain');
    assert.equal(xmpp({ ...bot, XMPP_SERVICE: 'xmpp://localhost:5222', XMPP_TLS: 'plain' })?.tls, 'plain');
    assert.throws(() => xmpp({ ...bot, XMPP_TLS: 'plain' }), /XMPP_TLS=plain is allowed only for an XMPP server on this machine/);
    assert.throws(() => xmpp({ ...bot, XMPP_SERVICE: 'xmpp://10.0.0.5:5222', XMPP_TLS: 'plain' }), /XMPP_TLS=plain/);
    assert.throws(() => xmpp({ ...bot, XMPP_SERVICE: 'xmpps://127.0.0.1:5223', XMPP_TLS: 'plain' }), /contradicts/);
    assert.throws(() => xmpp({ ...bot, XMPP_TLS: 'maybe' }), /XMPP_TLS must be one of require, plain/);
  });

  it('refuses a partial or malformed set-up, naming the variable and never the password', () => {
    assert.throws(() => xmpp({ XMPP_JID: 'bot@chat.example' }), (error: Error) => error instanceof ConfigError && /XMPP_SERVICE and XMPP_PASSWORD must be set too/.test(error.message));
    assert.throws(() => xmpp({ ...bot, XMPP_SERVICE: 'http://chat.example' }), /XMPP_SERVICE must be an xmpp:\/\/host:port/);
    assert.throws(() => xmpp({ ...bot, XMPP_SERVICE: 'xmpp://user:pw@chat.example' }), /XMPP_SERVICE/);
    assert.throws(() => xmpp({ ...bot, XMPP_JID: 'bot@chat.example/resource' }), /XMPP_JID must be the bot's bare Jabber ID/);
    assert.throws(() => xmpp({ ...bot, XMPP_JID: 'chat.example' }), (error: Error) => /XMPP_JID/.test(error.message) && !/secret/.test(error.message));
    assert.throws(() => loadConfig({ DATA_DIR: dataDir, XMPP_SEND_PER_MINUTE: '0' }), /XMPP_SEND_PER_MINUTE/);
  });
});
