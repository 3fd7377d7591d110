// Avatars of local users (uploads) and our copies of remote people's avatars. Files are written
// first, then the key is swapped in the database, then the old files go: a page never points at
// a missing file, and a failure leaves the previous picture in place.
import { getLocalProfileByNickname, swapAvatarKey, swapRemoteAvatarKey } from '../db/profiles.ts';
import { getRemoteProfileById } from '../db/remote-profiles.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { deleteAvatarFiles, avatarFilePath, newAvatarKey, writeAvatarFiles } from './avatar-files.ts';
import { AVATAR_SIZES, makeAvatarImages } from './avatar-images.ts';
import type { AvatarSize } from './avatar-images.ts';
import type { Db, DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { profileChanged } from './profile-changes.ts';

export type { AvatarSize };

// Converts and writes the files, then runs `swap` (a transaction that installs the new key and
// returns the old one, or undefined when it no longer applies), then removes the loser's files.
async function installAvatar(ctx: DomainContext, bytes: Buffer, swap: (key: string) => Promise<string | null | undefined>): Promise<boolean> {
  const images = await makeAvatarImages(bytes);
  const key = newAvatarKey();
  await writeAvatarFiles(ctx.config, key, images);
  let oldKey: string | null | undefined;
  try {
    oldKey = await swap(key);
  } catch (error) {
    await deleteAvatarFiles(ctx.config, key);
    throw error;
  }
  await deleteAvatarFiles(ctx.config, oldKey === undefined ? key : oldKey);
  return oldKey !== undefined;
}

/** Replaces a local user's avatar with an uploaded image; ValidationError (4xx) when it is unusable. */
export async function setLocalAvatar(ctx: DomainContext, userId: number, upload: Buffer | undefined): Promise<void> {
  if (!upload || upload.length === 0) throw new ValidationError({ avatar: 'Choose an image file to upload.' });
  const installed = await installAvatar(ctx, upload, (key) =>
    ctx.db.transaction(async (trx) => {
      const { found, oldKey } = await swapAvatarKey(trx, userId, key);
      if (!found) return undefined;
      await profileChanged(ctx, trx, userId);
      return oldKey;
    }),
  );
  if (!installed) throw new ForbiddenError('Sign in first.');
}

/** Removes a local user's avatar (they get the default picture). */
export async function removeLocalAvatar(ctx: DomainContext, userId: number): Promise<void> {
  const oldKey = await ctx.db.transaction(async (trx) => {
    const { oldKey } = await swapAvatarKey(trx, userId, null);
    if (oldKey) await profileChanged(ctx, trx, userId);
    return oldKey;
  });
  await deleteAvatarFiles(ctx.config, oldKey);
}

/** Stores our copy of a remote avatar fetched from `sourceUrl`, unless the profile's avatar URL changed meanwhile. */
export async function storeRemoteAvatar(ctx: DomainContext, profileId: number, sourceUrl: string, bytes: Buffer): Promise<boolean> {
  return installAvatar(ctx, bytes, (key) =>
    ctx.db.transaction(async (trx) => {
      const { found, oldKey } = await swapRemoteAvatarKey(trx, profileId, sourceUrl, key);
      return found ? oldKey : undefined;
    }),
  );
}

/** Drops our copy of a remote avatar while its avatar URL is still `sourceUrl` (failed fetch, or no avatar). */
export async function clearRemoteAvatar(ctx: DomainContext, profileId: number, sourceUrl: string | null): Promise<void> {
  const oldKey = await ctx.db.transaction(async (trx: Db) => (await swapRemoteAvatarKey(trx, profileId, sourceUrl, null)).oldKey);
  await deleteAvatarFiles(ctx.config, oldKey);
}

/** Whether a URL path segment names one of the stored sizes. */
export function avatarSizeOf(raw: string): AvatarSize | undefined {
  return AVATAR_SIZES.find((size) => String(size) === raw);
}

export type AvatarFile = { file: string; key: string } | undefined;

// null for nobody, undefined for somebody without a stored picture.
function storedFileOf(ctx: DomainContext, profile: { avatarKey: string | null } | undefined, size: AvatarSize): AvatarFile | null {
  if (!profile) return null;
  return profile.avatarKey ? { file: avatarFilePath(ctx.config, profile.avatarKey, size), key: profile.avatarKey } : undefined;
}

/** The stored file of a local user's avatar at this size; undefined when they have none; 404 for nobody. */
export async function localAvatarFile(ctx: DomainContext, nickname: string, size: AvatarSize): Promise<AvatarFile | null> {
  return storedFileOf(ctx, await getLocalProfileByNickname(ctx.db, nickname), size);
}

/** The stored file of our copy of a remote profile's avatar; undefined when there is none; null for nobody. */
export async function remoteAvatarFile(ctx: DomainContext, rawId: string, size: AvatarSize): Promise<AvatarFile | null> {
  const id = parseId(rawId);
  return storedFileOf(ctx, id === undefined ? undefined : await getRemoteProfileById(ctx.db, id), size);
}
