// Whom a direct message is for, from what the sender typed in "To": a nickname here, or
// nickname@server for someone elsewhere. As in Laconica, you can write only to people who
// subscribe to you, and only where a protocol can carry a private message to them.
import { ValidationError } from '../errors.ts';
import { listRemoteSubscribersNamed } from '../db/messages.ts';
import { getLocalProfileByNickname } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { isSubscribed } from '../db/subscriptions.ts';
import type { Db, DomainContext } from './context.ts';
import { siteName } from './remote-origins.ts';

/**
 * Whether some federation protocol can carry a direct message to this remote profile (ActivityPub
 * can; OpenMicroBlogging 0.1 has no private messages). The federation core answers it.
 */
export type MessageReach = (db: Db, profileId: number) => Promise<boolean>;

const ADDRESS = /^@?([^@\s]{1,64})(?:@([^@\s/?#]{1,255}))?$/;

function refuse(message: string, status: number): never {
  throw new ValidationError({ to: message }, status);
}

/** How a profile is written in the "To" field: its nickname here, nickname@server elsewhere. */
export function recipientAddress(profile: Pick<ProfileRecord, 'nickname' | 'isLocal' | 'profileUrl'> & { uri?: string | null }): string {
  return profile.isLocal ? profile.nickname : `${profile.nickname}@${siteName(profile.profileUrl ?? profile.uri)}`;
}

function onSite(profile: ProfileRecord, host: string): boolean {
  return siteName(profile.profileUrl) === host || siteName(profile.uri) === host;
}

async function checkSubscribes(db: Db, sender: ProfileRecord, recipient: ProfileRecord, address: string): Promise<void> {
  if (!(await isSubscribed(db, recipient.id, sender.id))) {
    refuse(`${address} does not subscribe to you. You can send direct messages only to people who subscribe to you.`, 403);
  }
}

/** Checks that the profile can be sent a message by the sender (subscribes, not suspended, reachable); 4xx ValidationError on the "to" field. */
export async function checkRecipient(db: Db, sender: ProfileRecord, recipient: ProfileRecord, reach: MessageReach): Promise<void> {
  const address = recipientAddress(recipient);
  if (recipient.id === sender.id) refuse('You cannot send a direct message to yourself.', 400);
  if (recipient.suspendedAt) refuse(`${address}’s account is suspended: they cannot receive messages.`, 403);
  await checkSubscribes(db, sender, recipient, address);
  if (!recipient.isLocal && !(await reach(db, recipient.id))) {
    refuse(`${address} is reached only over OpenMicroBlogging 0.1, which has no private messages: you cannot send them a direct message from here.`, 403);
  }
}

/** The profile "To" names among the sender's possible recipients, or a 4xx ValidationError on the "to" field saying why not. */
export async function resolveRecipient(ctx: DomainContext, sender: ProfileRecord, raw: string, reach: MessageReach): Promise<ProfileRecord> {
  const typed = raw.trim();
  if (typed === '') refuse('Say whom the message is for.', 400);
  const match = ADDRESS.exec(typed);
  if (!match) refuse('Write the nickname of someone who subscribes to you, or nickname@server for someone on another server.', 400);
  const nickname = match[1]!.toLowerCase();
  const host = match[2]?.toLowerCase();
  const ours = host === undefined || host === new URL(ctx.config.publicUrl).host.toLowerCase();

  let recipient: ProfileRecord | undefined;
  if (ours) {
    recipient = await getLocalProfileByNickname(ctx.db, nickname);
    // A bare nickname nobody here has may be a subscriber elsewhere, when only one of them has it.
    if (!recipient && host === undefined) {
      const elsewhere = await listRemoteSubscribersNamed(ctx.db, sender.id, nickname);
      if (elsewhere.length > 1) refuse(`Several people called ${nickname} on other servers subscribe to you: write nickname@server.`, 400);
      recipient = elsewhere[0];
    }
    if (!recipient) refuse(`There is nobody called “${nickname}” here.`, 404);
  } else {
    recipient = (await listRemoteSubscribersNamed(ctx.db, sender.id, nickname)).find((profile) => onSite(profile, host));
    if (!recipient) refuse(`${nickname}@${host} does not subscribe to you (or is not known here). You can send direct messages only to people who subscribe to you.`, 403);
  }
  await checkRecipient(ctx.db, sender, recipient, reach);
  return recipient;
}
