// Local actors: each user as a Person, the site itself as an Application (it signs the fetches no
// user makes), with their key pairs.
import type { Context, Federation } from '@fedify/fedify';
import { Application, Endpoints, Image, Person, Tombstone } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { findLocalProfile } from '../../domain/lookups.ts';
import { deletedAccountId } from '../../domain/account-deletion.ts';
import type { ProfileRecord } from '../../domain/lookups.ts';
import { escapeHtml } from '../../domain/notice-text.ts';
import { avatarPath, profileUrl } from '../../domain/urls.ts';
import { INSTANCE_KEY_OWNER, keyPairsOf, userKeyOwner } from './keys.ts';
import { ACTOR_PATH, INSTANCE_IDENTIFIER } from './paths.ts';

/** A bio as the HTML an actor's summary holds: escaped text, line breaks kept. */
export function bioHtml(bio: string | null): string | null {
  return bio ? `<p>${escapeHtml(bio).replace(/\r?\n/g, '<br>')}</p>` : null;
}

function personOf(ctx: Context<FederationContext>, profile: ProfileRecord, keys: Awaited<ReturnType<Context<FederationContext>['getActorKeyPairs']>>): Person {
  const { publicUrl } = ctx.data.config;
  const identifier = profile.nickname;
  const avatar = profile.avatarKey ? new URL(publicUrl + avatarPath({ id: profile.id, nickname: profile.nickname, isLocal: true }, profile.avatarKey, 96)) : null;
  return new Person({
    id: ctx.getActorUri(identifier),
    preferredUsername: identifier,
    name: profile.fullname ?? identifier,
    summary: bioHtml(profile.bio),
    url: new URL(profileUrl(publicUrl, identifier)),
    inbox: ctx.getInboxUri(identifier),
    outbox: ctx.getOutboxUri(identifier),
    followers: ctx.getFollowersUri(identifier),
    following: ctx.getFollowingUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    icon: avatar ? new Image({ url: avatar, mediaType: 'image/png' }) : null,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((key) => key.multikey),
    manuallyApprovesFollowers: false,
    discoverable: true,
  });
}

/** A local person's actor as it is served, or undefined when there is nobody by that nickname. */
export async function localPerson(ctx: Context<FederationContext>, nickname: string): Promise<Person | undefined> {
  const profile = await findLocalProfile(ctx.data.db, nickname);
  return profile ? personOf(ctx, profile, await ctx.getActorKeyPairs(nickname)) : undefined;
}

/** The key owner behind an actor identifier, or undefined when there is no such actor. */
export async function keyOwnerOf(ctx: FederationContext, identifier: string): Promise<string | undefined> {
  if (identifier === INSTANCE_IDENTIFIER) return INSTANCE_KEY_OWNER;
  const profile = await findLocalProfile(ctx.db, identifier);
  const id = profile?.id ?? (await deletedAccountId(ctx.db, identifier)); // a deleted account still signs its Delete
  return id === undefined ? undefined : userKeyOwner(id);
}

/** Registers the actor dispatcher (Person per user, the instance Application) and key pairs. */
export function registerActors(federation: Federation<FederationContext>): void {
  federation
    .setActorDispatcher(ACTOR_PATH, async (ctx, identifier) => {
      const keys = await ctx.getActorKeyPairs(identifier);
      if (identifier === INSTANCE_IDENTIFIER) {
        return new Application({
          id: ctx.getActorUri(identifier),
          preferredUsername: identifier,
          name: ctx.data.config.siteName,
          inbox: ctx.getInboxUri(identifier),
          outbox: ctx.getOutboxUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          url: new URL(`${ctx.data.config.publicUrl}/`),
          publicKey: keys[0]?.cryptographicKey ?? null,
          assertionMethods: keys.map((key) => key.multikey),
          manuallyApprovesFollowers: true,
        });
      }
      const profile = await findLocalProfile(ctx.data.db, identifier);
      if (profile) return personOf(ctx, profile, keys);
      // A deleted account answers 410 Gone, so that other servers drop it rather than retry.
      return (await deletedAccountId(ctx.data.db, identifier)) === undefined ? null : new Tombstone({ id: ctx.getActorUri(identifier) });
    })
    .setKeyPairsDispatcher(async (ctx, identifier) => {
      const owner = await keyOwnerOf(ctx.data, identifier);
      return owner ? keyPairsOf(ctx.data.db, owner) : [];
    })
    // Nicknames are lower case; a handle typed as @Alice@host is still Alice.
    .mapHandle((_ctx, username) => username.toLowerCase())
    // Her profile URL as a WebFinger resource (what people paste) names her too.
    .mapAlias((ctx, resource) => {
      const base = `${ctx.data.config.publicUrl}/`;
      if (!resource.href.startsWith(base)) return null;
      const nickname = /^([a-z0-9]{1,64})\/?$/.exec(resource.href.slice(base.length));
      return nickname ? { identifier: nickname[1]! } : null;
    });
}
