// Pictures of notices from other servers, whatever protocol brought them: recorded as pending with
// their own address, copied by a job through the outbound client and the same pipeline as uploads,
// and shown only from our copy. Until it exists, or if it cannot be made, they are a link.
import { completePendingPicture, failPendingPicture, getAttachmentById, insertPendingPictures, listNoticeAttachments, rearrangeAttachments } from '../db/attachments.ts';
import type { AttachmentSlot } from '../db/attachments.ts';
import { deletePictureFiles, newPictureKey, writePictureFiles } from './attachment-files.ts';
import type { Db, DomainContext } from './context.ts';
import { REMOTE_PICTURE_FETCH_JOB } from './jobs.ts';
import { makePictureImages } from './picture-images.ts';
import { ALT_MAX_LENGTH, MAX_PICTURES, storedPictureOf } from './picture-uploads.ts';

/** A picture a remote notice carries, as its protocol describes it. */
export type RemotePictureInput = { url: string; mediaType: string | null; alt: string | null };

/** The longest picture URL we keep (they are fetched, and shown as links, never stored elsewhere). */
const MAX_URL_LENGTH = 2048;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function isFetchableUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** The pictures worth copying: http(s) addresses, image types (or none said), descriptions as bounded plain text; at most MAX_PICTURES. */
export function remotePictures(inputs: readonly RemotePictureInput[]): { remoteUrl: string; mediaType: string; alt: string }[] {
  return inputs
    .filter((p) => isFetchableUrl(p.url) && (p.mediaType === null || /^image\/[a-z0-9.+-]+$/i.test(p.mediaType)))
    .slice(0, MAX_PICTURES)
    .map((p) => ({
      remoteUrl: p.url,
      mediaType: (p.mediaType ?? 'image/*').toLowerCase(),
      alt: [...(p.alt ?? '').replace(CONTROL, '').replace(/\r\n?/g, '\n').trim()].slice(0, ALT_MAX_LENGTH).join(''),
    }));
}

/** Attaches a new remote notice's pictures (pending) and queues the copy of each, in the caller's transaction. */
export async function attachRemotePictures(ctx: DomainContext, trx: Db, noticeId: number, pictures: ReturnType<typeof remotePictures>): Promise<void> {
  const ids = await insertPendingPictures(trx, noticeId, pictures);
  for (const attachmentId of ids) await ctx.jobs.send(trx, REMOTE_PICTURE_FETCH_JOB, { attachmentId });
}

/**
 * Makes an edited remote notice's pictures those its author lists now: one still listed (by its
 * address) keeps our copy, with its description as it is now; the others are detached (the clean-up
 * removes their files); new ones are attached pending and their copies queued. Nothing is written
 * when nothing changed.
 */
export async function replaceRemotePictures(ctx: DomainContext, trx: Db, noticeId: number, pictures: ReturnType<typeof remotePictures>): Promise<void> {
  const current = await listNoticeAttachments(trx, noticeId);
  const unused = [...current];
  const slots: AttachmentSlot[] = pictures.map((picture) => {
    const index = unused.findIndex((attachment) => attachment.remoteUrl === picture.remoteUrl);
    return index === -1 ? picture : { id: unused.splice(index, 1)[0]!.id, alt: picture.alt };
  });
  const unchanged = slots.length === current.length && slots.every((slot, i) => 'id' in slot && slot.id === current[i]!.id && slot.alt === current[i]!.alt);
  if (unchanged) return;
  const added = await rearrangeAttachments(trx, noticeId, slots);
  for (const attachmentId of added) await ctx.jobs.send(trx, REMOTE_PICTURE_FETCH_JOB, { attachmentId });
}

/** The address of a remote picture still waiting for its copy, or undefined (copied, given up, or its notice deleted). */
export async function pendingRemotePicture(ctx: DomainContext, attachmentId: number): Promise<{ url: string } | undefined> {
  const attachment = await getAttachmentById(ctx.db, attachmentId);
  if (!attachment || attachment.noticeId === null || attachment.state !== 'pending' || !attachment.remoteUrl) return undefined;
  return { url: attachment.remoteUrl };
}

/** Stores our copy of a pending remote picture (ValidationError when the bytes are no usable image); false when it no longer waits for one. */
export async function storeRemotePicture(ctx: DomainContext, attachmentId: number, bytes: Buffer): Promise<boolean> {
  const images = await makePictureImages(bytes);
  const key = newPictureKey();
  await writePictureFiles(ctx.config, key, images);
  const picture = storedPictureOf(key, images, '');
  let installed = false;
  try {
    installed = await completePendingPicture(ctx.db, attachmentId, picture);
  } finally {
    if (!installed) await deletePictureFiles(ctx.config, [{ key, mediaType: picture.mediaType }]);
  }
  return installed;
}

/** Gives up copying a remote picture: it stays a link to its own server. */
export function giveUpRemotePicture(ctx: DomainContext, attachmentId: number): Promise<void> {
  return failPendingPicture(ctx.db, attachmentId);
}
