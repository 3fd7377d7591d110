// A local user's Jabber (XMPP) address: given in settings, it waits until the link the bot sends to
// it is followed; only then does the bot take messages from it or send it anything. The link is
// single-use and expires; only its SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { clearPendingJid, confirmImToken, deleteImAddress, findImToken, getImSettings, setImToken, setPendingJid, updateImSwitches } from '../db/im.ts';
import type { ImSettingsRecord, ImSwitches } from '../db/im.ts';
import type { Db, DomainContext } from './context.ts';
import { isUniqueViolation } from './db-errors.ts';
import { LinkGoneError } from './email-tokens.ts';
import { IM_SEND_JOB } from './jobs.ts';

export type { ImSettingsRecord, ImSwitches };

/** How long a confirmation link works. */
export const IM_TOKEN_LIFETIME_SECONDS = 24 * 3600;

// A bare JID (RFC 7622) as people write it: a local part without the characters the address format
// forbids there, and a host name. Lower case: servers compare both parts without case.
const LOCAL_PART = /^[^\s\u0000-\u001f\u007f@/"&'<>:]{1,256}$/;
const DOMAIN_PART = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes

/** The bare, lower-case form of a Jabber ID as typed (a resource after "/" is dropped), or undefined when it is none. */
export function normalizeJid(raw: string): string | undefined {
  const bare = raw.trim().replace(/^xmpp:/i, '').split('/')[0]!.toLowerCase();
  const at = bare.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = bare.slice(0, at);
  const domain = bare.slice(at + 1);
  return LOCAL_PART.test(local) && DOMAIN_PART.test(domain) ? `${local}@${domain}` : undefined;
}

function hashOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Whether instant messaging is set up on this site (the bot has an account). */
export function imEnabled(ctx: DomainContext): boolean {
  return ctx.config.xmpp !== undefined;
}

/** The bot's own address, for the settings page ("add it to your contacts"), or undefined when IM is off. */
export function botJid(ctx: DomainContext): string | undefined {
  return ctx.config.xmpp?.jid;
}

/** A user's addresses and switches. */
export async function imSettingsOf(ctx: DomainContext, userId: number): Promise<ImSettingsRecord> {
  const settings = await getImSettings(ctx.db, userId);
  if (!settings) throw new ForbiddenError('Sign in first.');
  return settings;
}

function checkEnabled(ctx: DomainContext): void {
  if (!imEnabled(ctx)) throw new ValidationError({ jid: 'Instant messaging is not set up on this site.' }, 409);
}

// Queues the confirmation message (the job words it and issues the link when it sends it).
async function queueConfirmation(ctx: DomainContext, trx: Db, userId: number, jid: string): Promise<void> {
  await ctx.jobs.send(trx, IM_SEND_JOB, { kind: 'confirm', userId, jid, queuedAt: Date.now() }, { key: jid });
}

export type ImAddressChange = 'pending' | 'unchanged';

/** Sets the address a user wants: a new one waits for confirmation (the confirmed one stays in use until then); the confirmed address itself cancels a pending change. */
export async function changeImAddress(ctx: DomainContext, userId: number, raw: string): Promise<ImAddressChange> {
  checkEnabled(ctx);
  if (raw.trim() === '') throw new ValidationError({ jid: 'Write your Jabber ID first (as name@example.org).' });
  const jid = normalizeJid(raw);
  if (!jid) throw new ValidationError({ jid: 'That does not look like a Jabber ID (write it as name@example.org).' });
  if (jid === botJid(ctx)) throw new ValidationError({ jid: 'That is the address of this site’s bot: give your own Jabber ID.' });
  const current = await imSettingsOf(ctx, userId);
  return ctx.db.transaction(async (trx) => {
    if (jid === current.jid) {
      await clearPendingJid(trx, userId);
      return 'unchanged';
    }
    await setPendingJid(trx, userId, jid);
    await queueConfirmation(ctx, trx, userId, jid);
    return 'pending';
  });
}

/** Sends the confirmation link again to the pending address, if there is one. */
export async function resendImConfirmation(ctx: DomainContext, userId: number): Promise<boolean> {
  checkEnabled(ctx);
  const current = await imSettingsOf(ctx, userId);
  if (!current.pendingJid) return false;
  await ctx.db.transaction((trx) => queueConfirmation(ctx, trx, userId, current.pendingJid!));
  return true;
}

/** Issues the link for a confirmation message to `jid`, if it is still the user's pending address (a newer one replaces it). */
export async function issueImConfirmation(ctx: DomainContext, userId: number, jid: string): Promise<{ nickname: string; link: string; validHours: number } | undefined> {
  const settings = await getImSettings(ctx.db, userId);
  if (!settings || settings.pendingJid !== jid) return undefined;
  const token = randomBytes(32).toString('base64url');
  if (!(await setImToken(ctx.db, userId, jid, hashOf(token), IM_TOKEN_LIFETIME_SECONDS))) return undefined;
  return { nickname: settings.nickname, link: `${ctx.config.publicUrl}/main/confirmim/${token}`, validHours: IM_TOKEN_LIFETIME_SECONDS / 3600 };
}

const GONE = 'This confirmation link has already been used, has expired, or was replaced by a newer one. Ask for a new one in your IM settings.';

/** The address a confirmation link would confirm, without using the link up; 410 when it is not valid. */
export async function jidOfConfirmation(ctx: DomainContext, token: string): Promise<string> {
  const record = TOKEN_SHAPE.test(token) ? await findImToken(ctx.db, hashOf(token)) : undefined;
  if (!record) throw new LinkGoneError(GONE);
  return record.jid;
}

/** Follows a confirmation link: the address becomes the confirmed one; 410 for a used or expired link, 409 for an address another account has. */
export async function confirmImAddress(ctx: DomainContext, token: string): Promise<{ userId: number; nickname: string; jid: string }> {
  if (!TOKEN_SHAPE.test(token)) throw new LinkGoneError(GONE);
  try {
    return await ctx.db.transaction(async (trx) => {
      const record = await confirmImToken(trx, hashOf(token));
      if (!record) throw new LinkGoneError(GONE);
      const settings = await getImSettings(trx, record.userId);
      return { ...record, nickname: settings!.nickname };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Nothing changed (rolled back): the link works once the other account lets the address go.
    throw new ValidationError({ jid: 'This Jabber ID is already confirmed for another account here. Remove it there first, or use another address.' }, 409);
  }
}

/** Saves what the bot sends and takes, and whether sending is paused (as "off" does); 409 when the user has no address yet. */
export async function saveImSwitches(ctx: DomainContext, userId: number, switches: ImSwitches, paused: boolean): Promise<void> {
  if (!(await updateImSwitches(ctx.db, userId, switches, paused))) throw new ValidationError({ switches: 'Add a Jabber ID first.' }, 409);
}

/** Removes the user's addresses, confirmed and pending: the bot neither sends to nor takes from them any more. */
export async function removeImAddress(ctx: DomainContext, userId: number): Promise<boolean> {
  return deleteImAddress(ctx.db, userId);
}
