// Stored avatar files: DATA_DIR/avatars/<key>-<size>.png, names made only from a random key.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { HttpError } from '../errors.ts';
import { AVATAR_SIZES } from './avatar-images.ts';
import type { AvatarImages, AvatarSize } from './avatar-images.ts';

const KEY_PATTERN = /^[0-9a-f]{32}$/;

/** A fresh random key for a new set of avatar files. */
export function newAvatarKey(): string {
  return randomBytes(16).toString('hex');
}

/** The folder that holds every stored avatar. */
export function avatarDirectory(config: Config): string {
  return path.join(config.dataDir, 'avatars');
}

/** The file of one size of a stored avatar. */
export function avatarFilePath(config: Config, key: string, size: AvatarSize): string {
  if (!KEY_PATTERN.test(key)) throw new Error('not an avatar key');
  return path.join(avatarDirectory(config), `${key}-${size}.png`);
}

/** Writes every size under a new key; on failure removes what it wrote and throws a 500 with a clear message. */
export async function writeAvatarFiles(config: Config, key: string, images: AvatarImages): Promise<void> {
  try {
    await mkdir(avatarDirectory(config), { recursive: true });
    for (const size of AVATAR_SIZES) await writeFile(avatarFilePath(config, key, size), images[size], { flag: 'wx' });
  } catch (error) {
    await deleteAvatarFiles(config, key);
    throw new StorageError(`The picture could not be stored on the server (${(error as NodeJS.ErrnoException).code ?? 'write error'}). Please try again later.`, error);
  }
}

/** Removes every size of a stored avatar; files already gone are fine. */
export async function deleteAvatarFiles(config: Config, key: string | null): Promise<void> {
  if (!key || !KEY_PATTERN.test(key)) return;
  await Promise.all(AVATAR_SIZES.map((size) => rm(avatarFilePath(config, key, size), { force: true }).catch(() => undefined)));
}

/** The server could not write to its disk: a 500 whose message may be shown. */
export class StorageError extends HttpError {
  constructor(message: string, cause: unknown) {
    super(500, message);
    this.cause = cause;
  }
}
