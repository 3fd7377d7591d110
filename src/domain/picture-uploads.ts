// Pictures attached to notices by their local authors: checked and converted before anything is
// written, their files written before the notice's transaction and removed again if it fails, and
// removed when their notice is deleted.
import { deleteDetachedPictures, listDetachedPictures } from '../db/attachments.ts';
import type { StoredPicture } from '../db/attachments.ts';
import { ValidationError } from '../errors.ts';
import { deletePictureFiles, newPictureKey, writePictureFiles } from './attachment-files.ts';
import type { DomainContext, JobHandler } from './context.ts';
import { PICTURES_PRUNE_JOB } from './jobs.ts';
import { codePointLength } from './notice-text.ts';
import { makePictureImages, PICTURE_TYPES, PictureError } from './picture-images.ts';
import type { PictureImages } from './picture-images.ts';
import { hasControlCharacters } from './text-rules.ts';

export type { StoredPicture };

/** Most pictures one notice may carry (as Mastodon's four). */
export const MAX_PICTURES = 4;
/** Longest description (alt text) of a picture, in characters (as Mastodon's). */
export const ALT_MAX_LENGTH = 1500;

/** One picture slot of the post form: the file's bytes (none when no file was chosen) and its description. */
export type PictureUpload = { bytes: Buffer | undefined; alt: string };

/** A slot that holds a picture, with its description cleaned; the bytes are not decoded yet. */
export type CheckedPicture = { bytes: Buffer; alt: string; number: number };

/** A description as stored: line breaks normalised, outer spaces trimmed. */
export function cleanAlt(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').trim();
}

/** The slots that hold a picture, their descriptions checked (cheap: nothing is decoded); ValidationError naming the slot as the form numbers it. */
export function checkPictureSlots(slots: readonly PictureUpload[]): CheckedPicture[] {
  const filled = slots
    .map((slot, index) => ({ ...slot, number: index + 1 }))
    .filter((slot) => (slot.bytes !== undefined && slot.bytes.length > 0) || cleanAlt(slot.alt) !== '');
  if (filled.length > MAX_PICTURES) throw new ValidationError({ pictures: `A notice can carry at most ${MAX_PICTURES} pictures; you sent ${filled.length}.` });
  return filled.map(({ bytes, alt: raw, number }) => {
    const alt = cleanAlt(raw);
    if (!bytes || bytes.length === 0) throw new ValidationError({ pictures: `Picture ${number} has a description but no file: choose the image it describes, or clear the description.` });
    if (hasControlCharacters(alt)) throw new ValidationError({ pictures: `The description of picture ${number} contains control characters that cannot be stored.` });
    const length = codePointLength(alt);
    if (length > ALT_MAX_LENGTH) throw new ValidationError({ pictures: `The description of picture ${number} is too long: ${length} characters, and at most ${ALT_MAX_LENGTH} are accepted.` });
    return { bytes, alt, number };
  });
}

/** Decodes and re-encodes checked pictures, one at a time (memory); ValidationError naming the picture that is unusable. */
export async function convertPictures(pictures: readonly CheckedPicture[]): Promise<{ images: PictureImages; alt: string }[]> {
  const converted: { images: PictureImages; alt: string }[] = [];
  for (const picture of pictures) {
    try {
      converted.push({ images: await makePictureImages(picture.bytes), alt: picture.alt });
    } catch (error) {
      if (!(error instanceof PictureError)) throw error;
      const which = pictures.length === 1 ? 'The picture' : `Picture ${picture.number}`;
      throw new ValidationError({ pictures: `${which} ${error.fields.pictures}.` }, error.status);
    }
  }
  return converted;
}

/** The stored form of converted images: the key their files are written under and their sizes. */
export function storedPictureOf(key: string, images: PictureImages, alt: string): StoredPicture {
  return {
    fileKey: key,
    mediaType: PICTURE_TYPES[images.format].mediaType,
    width: images.original.width,
    height: images.original.height,
    thumbWidth: images.thumbnail.width,
    thumbHeight: images.thumbnail.height,
    alt,
  };
}

/** Writes the files of converted pictures under new keys; on failure removes every one written and throws. */
export async function writePictures(ctx: DomainContext, pictures: readonly { images: PictureImages; alt: string }[]): Promise<StoredPicture[]> {
  const stored: StoredPicture[] = [];
  try {
    for (const { images, alt } of pictures) {
      const key = newPictureKey();
      await writePictureFiles(ctx.config, key, images);
      stored.push(storedPictureOf(key, images, alt));
    }
  } catch (error) {
    await discardPictureFiles(ctx, stored);
    throw error;
  }
  return stored;
}

/** Runs `save` (the transaction that stores the pictures' rows); if it fails, removes their files and throws. */
export async function withPictureFiles<T>(ctx: DomainContext, pictures: readonly StoredPicture[], save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    await discardPictureFiles(ctx, pictures);
    throw error;
  }
}

/** Removes the files of pictures whose rows were never saved (a failed transaction). */
export function discardPictureFiles(ctx: DomainContext, pictures: readonly StoredPicture[]): Promise<void> {
  return deletePictureFiles(ctx.config, pictures.map((p) => ({ key: p.fileKey, mediaType: p.mediaType })));
}

const PRUNE_BATCH = 200;

/** Removes the files, then the rows, of pictures whose notice was deleted; returns how many. */
export async function removeDetachedPictures(ctx: DomainContext): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await listDetachedPictures(ctx.db, PRUNE_BATCH);
    // Files first: a row left behind by a crash here still names its files for the next run.
    await deletePictureFiles(ctx.config, batch.map((p) => ({ key: p.fileKey, mediaType: p.mediaType })));
    await deleteDetachedPictures(ctx.db, batch.map((p) => p.id));
    removed += batch.length;
    if (batch.length < PRUNE_BATCH) return removed;
  }
}

/** The scheduled clean-up: pictures of notices deleted by any path (remote deletions, removed accounts). */
export const pictureJobHandlers: Readonly<Record<string, JobHandler>> = {
  [PICTURES_PRUNE_JOB]: async (ctx) => {
    await removeDetachedPictures(ctx);
  },
};
