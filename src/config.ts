// The only reader of process.env: every setting is parsed and checked once, at start.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';

export type Role = 'web' | 'worker' | 'all';

export type Config = Readonly<{
  /** TCP port the web server listens on. */
  port: number;
  /** Address the web server binds to. */
  host: string;
  /** Absolute base URL of the site, without trailing slash; every absolute URL is built from it. */
  publicUrl: string;
  /** Postgres connection string; undefined means the embedded Postgres under dataDir. */
  databaseUrl: string | undefined;
  /** Folder for the embedded database, uploads and the generated session secret. */
  dataDir: string;
  /** Secret that signs session cookies. */
  sessionSecret: string;
  /** Site name shown in the header and page titles. */
  siteName: string;
  /** Longest notice, in Unicode code points. */
  noticeMaxLength: number;
  /** Who may create accounts: anyone, nobody, holders of an invite link, or anyone once an admin approves. */
  registration: RegistrationMode;
  /** Which parts this process runs: the web server, the job workers, or both. */
  role: Role;
  /** pino log level. */
  logLevel: string;
  /** Express "trust proxy" value, for running behind a reverse proxy. */
  trustProxy: boolean | number | string;
  /** bcrypt cost factor; 12 or more outside tests. */
  bcryptCost: number;
  /** Seconds between job polls when no notification arrives. */
  jobPollSeconds: number;
  /** Whether outbound HTTP may reach loopback and private addresses (tests, local development only). */
  allowPrivateAddresses: boolean;
  /** First retry delay of a failed federation delivery, in seconds; later ones back off exponentially. */
  deliveryRetrySeconds: number;
  /** Largest avatar upload (or remote avatar download) accepted, in bytes. */
  avatarMaxBytes: number;
  /** Largest picture attached to a notice (uploaded, or copied from another server), in bytes. */
  pictureMaxBytes: number;
  // --- operations (issue 6) ---
  /** Seconds a stopping process gives in-flight requests and running jobs before it cuts them off. */
  shutdownTimeoutSeconds: number;
  /** Seconds after which a job claimed by a worker that died (heartbeat lost) is failed and retried. */
  jobRecoverySeconds: number;
  // --- email ---
  /** SMTP server to send email through (smtp:// or smtps://, with credentials); undefined writes emails to the log instead. */
  smtpUrl: string | undefined;
  /** The From address of the emails the site sends. */
  mailFrom: string;
  // --- moderation (issue 13) ---
  /** Whether people other than admins may create invite links (REGISTRATION=invite). */
  invitesByUsers: boolean;
  /** Days an invite link stays valid. */
  inviteDays: number;
  /** Notices one person may post per hour. */
  noticesPerHour: number;
  /** Accounts one address may register per day. */
  registrationsPerDay: number;
  /** Reports one person may file per day. */
  reportsPerDay: number;
  /** Minutes within which the same text from the same person is refused as a duplicate (0: never). */
  duplicateNoticeMinutes: number;
  // --- instant messaging (issue 14) ---
  /** The chat bot's XMPP account and server; undefined: instant messaging is off. */
  xmpp: XmppSettings | undefined;
  /** Chat messages the bot reads from one address per minute (more are ignored, after one warning). */
  xmppReceivePerMinute: number;
  /** Chat messages the bot sends to one address per minute (more wait for the next minute). */
  xmppSendPerMinute: number;
}>;

/** How the chat bot reaches its XMPP server. */
export type XmppSettings = Readonly<{
  /** xmpp://host:port (STARTTLS) or xmpps://host:port (TLS from the start). */
  service: string;
  /** The bot's bare JID (name@domain), lower case. */
  jid: string;
  password: string;
  /** 'require': never authenticate over an unencrypted stream; 'plain': no TLS (loopback servers only). */
  tls: 'require' | 'plain';
}>;

/** The registration modes. */
export const REGISTRATION_MODES = ['open', 'closed', 'invite', 'approval'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function publicUrlFrom(env: Env, port: number): string {
  const raw = env.PUBLIC_URL || `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must use http or https, got "${raw}"`);
  }
  if (url.search || url.hash) throw new ConfigError('PUBLIC_URL must not carry a query or fragment');
  return url.href.replace(/\/+$/, '');
}

function trustProxyFrom(env: Env): boolean | number | string {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // a list of addresses or subnets, as Express understands it
}

// A secret generated on first start and kept under DATA_DIR, so sessions survive restarts.
function sessionSecretFrom(env: Env, dataDir: string): string {
  const given = env.SESSION_SECRET;
  if (given !== undefined && given !== '') {
    if (given.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters');
    return given;
  }
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

function smtpUrlFrom(env: Env): string | undefined {
  const raw = env.SMTP_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL'); // the value may hold a password: not repeated
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL');
  return raw;
}

// A From address carrying no line breaks (it becomes a header); by default noreply at PUBLIC_URL's host.
function mailFromFrom(env: Env, publicUrl: string, siteName: string): string {
  const raw = env.MAIL_FROM || `"${siteName.replace(/["\\]/g, '')}" <noreply@${new URL(publicUrl).hostname}>`;
  if (/[\u0000-\u001f\u007f]/.test(raw) || raw.length > 255) throw new ConfigError('MAIL_FROM must be one line of at most 255 characters');
  if (!/@/.test(raw)) throw new ConfigError(`MAIL_FROM must contain an email address, got "${raw}"`);
  return raw;
}

// A bare JID: a local part and a domain, no resource; lower case, as servers compare them.
const BARE_JID = /^[^@/\s"&'<>:]{1,1023}@[a-z0-9.-]{1,253}$/;

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'loopback';
}

// All of XMPP_SERVICE, XMPP_JID and XMPP_PASSWORD, or none (IM off); plain streams only to this machine.
function xmppFrom(env: Env): XmppSettings | undefined {
  const names = ['XMPP_SERVICE', 'XMPP_JID', 'XMPP_PASSWORD'] as const;
  const given = names.filter((name) => env[name]);
  if (given.length === 0) return undefined;
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`${missing.join(' and ')} must be set too: instant messaging needs XMPP_SERVICE, XMPP_JID and XMPP_PASSWORD`);
  const raw = env.XMPP_SERVICE!;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`XMPP_SERVICE must be an xmpp://host:port or xmpps://host:port URL, got "${raw}"`);
  }
  if ((url.protocol !== 'xmpp:' && url.protocol !== 'xmpps:') || !url.hostname || url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new ConfigError(`XMPP_SERVICE must be an xmpp://host:port or xmpps://host:port URL, got "${raw}"`);
  }
  const jid = env.XMPP_JID!.trim().toLowerCase();
  if (!BARE_JID.test(jid)) throw new ConfigError(`XMPP_JID must be the bot's bare Jabber ID (name@domain), got "${env.XMPP_JID}"`);
  const tls = oneOf(env, 'XMPP_TLS', ['require', 'plain'] as const, 'require');
  if (tls === 'plain' && url.protocol === 'xmpps:') throw new ConfigError('XMPP_TLS=plain contradicts an xmpps:// XMPP_SERVICE: use xmpp:// for a plain stream');
  if (tls === 'plain' && !isLoopbackHost(url.hostname)) throw new ConfigError('XMPP_TLS=plain is allowed only for an XMPP server on this machine (a loopback address): the password would cross the network in clear');
  const port = url.port || (url.protocol === 'xmpps:' ? '5223' : '5222');
  return Object.freeze({ service: `${url.protocol}//${url.hostname}:${port}`, jid, password: env.XMPP_PASSWORD!, tls });
}

/** The password the admin command line was given in OSTRAKON_PASSWORD (kept out of argv and shell history), if any. */
export function adminPasswordFromEnv(env: Env = process.env): string | undefined {
  return env.OSTRAKON_PASSWORD || undefined;
}

/** Parses and checks the environment; throws ConfigError naming the faulty variable. */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const siteName = (env.SITE_NAME || 'Ostrakon').trim();
  if (siteName.length > 100) throw new ConfigError('SITE_NAME must be at most 100 characters');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const publicUrl = publicUrlFrom(env, port);
  return Object.freeze({
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl,
    databaseUrl,
    dataDir,
    sessionSecret: sessionSecretFrom(env, dataDir),
    siteName,
    noticeMaxLength: integer(env, 'NOTICE_MAX_LENGTH', 140, 1, 10000),
    registration: oneOf(env, 'REGISTRATION', REGISTRATION_MODES, 'open'),
    role: oneOf(env, 'ROLE', ['web', 'worker', 'all'] as const, 'all'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    trustProxy: trustProxyFrom(env),
    bcryptCost: integer(env, 'BCRYPT_COST', 12, 4, 16),
    jobPollSeconds: integer(env, 'JOB_POLL_SECONDS', 2, 1, 60),
    allowPrivateAddresses: flag(env, 'ALLOW_PRIVATE_ADDRESSES', false),
    deliveryRetrySeconds: integer(env, 'DELIVERY_RETRY_SECONDS', 30, 1, 3600),
    avatarMaxBytes: integer(env, 'AVATAR_MAX_BYTES', 2 * 1024 * 1024, 1024, 20 * 1024 * 1024),
    pictureMaxBytes: integer(env, 'PICTURE_MAX_BYTES', 5 * 1024 * 1024, 1024, 40 * 1024 * 1024),
    // --- operations (issue 6) ---
    shutdownTimeoutSeconds: integer(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
    jobRecoverySeconds: integer(env, 'JOB_RECOVERY_SECONDS', 30, 10, 3600), // pg-boss heartbeats need 10 or more
    // --- email ---
    smtpUrl: smtpUrlFrom(env),
    mailFrom: mailFromFrom(env, publicUrl, siteName),
    // --- moderation (issue 13) ---
    invitesByUsers: flag(env, 'INVITES_BY_USERS', false),
    inviteDays: integer(env, 'INVITE_DAYS', 7, 1, 365),
    noticesPerHour: integer(env, 'NOTICES_PER_HOUR', 60, 1, 100000),
    registrationsPerDay: integer(env, 'REGISTRATIONS_PER_DAY', 5, 1, 100000),
    reportsPerDay: integer(env, 'REPORTS_PER_DAY', 20, 1, 100000),
    duplicateNoticeMinutes: integer(env, 'DUPLICATE_NOTICE_MINUTES', 5, 0, 1440),
    // --- instant messaging (issue 14) ---
    xmpp: xmppFrom(env),
    xmppReceivePerMinute: integer(env, 'XMPP_RECEIVE_PER_MINUTE', 20, 1, 10000),
    xmppSendPerMinute: integer(env, 'XMPP_SEND_PER_MINUTE', 30, 1, 10000),
  });
}
