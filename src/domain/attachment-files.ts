// Stored picture files: DATA_DIR/attachments/<key>.<ext> (the re-encoded original) and
// <key>-thumb.webp (its thumbnail), names made only from a random key and the stored format.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { StorageError } from './avatar-files.ts';
import { PICTURE_TYPES, THUMBNAIL_MEDIA_TYPE } from './picture-images.ts';
import type { PictureImages } from './picture-images.ts';

const KEY_PATTERN = /^[0-9a-f]{32}$/;
const EXTENSIONS = new Map(Object.values(PICTURE_TYPES).map(({ mediaType, extension }) => [mediaType, extension]));

/** A fresh random key for a new picture's files. */
export function newPictureKey(): string {
  return randomBytes(16).toString('hex');
}

/** The file name of a stored original, or of its thumbnail. */
export function pictureFileName(key: string, mediaType: string, variant: 'original' | 'thumbnail'): string {
  if (!KEY_PATTERN.test(key)) throw new Error('not a picture key');
  if (variant === 'thumbnail') return `${key}-thumb.webp`;
  const extension = EXTENSIONS.get(mediaType);
  if (!extension) throw new Error(`not a stored picture type: ${mediaType}`);
  return `${key}.${extension}`;
}

/** What a requested file name asks for: the key, which variant, and the media type it must be served as; undefined for any other name. */
export function parsePictureFileName(name: string): { key: string; variant: 'original' | 'thumbnail'; extension: string } | undefined {
  const match = /^([0-9a-f]{32})(-thumb)?\.([a-z]{3,4})$/.exec(name);
  if (!match) return undefined;
  const [, key, thumb, extension] = match;
  if (thumb && extension !== 'webp') return undefined;
  return { key: key!, variant: thumb ? 'thumbnail' : 'original', extension: extension! };
}

/** The media type of the file served under a name (the thumbnail's is always WebP). */
export function servedMediaType(mediaType: string, variant: 'original' | 'thumbnail'): string {
  return variant === 'thumbnail' ? THUMBNAIL_MEDIA_TYPE : mediaType;
}

/** The folder that holds every stored picture. */
export function pictureDirectory(config: Config): string {
  return path.join(config.dataDir, 'attachments');
}

/** The path of a stored file by its name (made by pictureFileName). */
export function pictureFilePath(config: Config, fileName: string): string {
  if (!parsePictureFileName(fileName)) throw new Error('not a picture file name');
  return path.join(pictureDirectory(config), fileName);
}

/** Writes a picture's original and thumbnail under a key; on failure removes what it wrote and throws StorageError (500, message shown). */
export async function writePictureFiles(config: Config, key: string, images: PictureImages): Promise<void> {
  const mediaType = PICTURE_TYPES[images.format].mediaType;
  try {
    await mkdir(pictureDirectory(config), { recursive: true });
    await writeFile(pictureFilePath(config, pictureFileName(key, mediaType, 'original')), images.original.bytes, { flag: 'wx' });
    await writeFile(pictureFilePath(config, pictureFileName(key, mediaType, 'thumbnail')), images.thumbnail.bytes, { flag: 'wx' });
  } catch (error) {
    await deletePictureFiles(config, [{ key, mediaType }]);
    throw new StorageError(`The picture could not be stored on the server (${(error as NodeJS.ErrnoException).code ?? 'write error'}). Please try again later.`, error);
  }
}

/** Removes the files of stored pictures; files already gone are fine. */
export async function deletePictureFiles(config: Config, pictures: readonly { key: string | null; mediaType: string }[]): Promise<void> {
  const names = pictures.flatMap(({ key, mediaType }) => {
    if (!key || !KEY_PATTERN.test(key) || !EXTENSIONS.has(mediaType)) return [];
    return [pictureFileName(key, mediaType, 'original'), pictureFileName(key, mediaType, 'thumbnail')];
  });
  await Promise.all(names.map((name) => rm(pictureFilePath(config, name), { force: true }).catch(() => undefined)));
}
