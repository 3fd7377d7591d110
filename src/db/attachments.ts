// Pictures attached to notices (the notice rows read them with NOTICE_COLUMNS; these are the rest).
import type { Knex } from 'knex';
import type { AttachmentRecord } from './records.ts';

/** A picture whose files are already written, to attach to a new notice. */
export type StoredPicture = { fileKey: string; mediaType: string; width: number; height: number; thumbWidth: number; thumbHeight: number; alt: string };

/** A remote picture to copy: where from, what its server says it is, and its description. */
export type PendingPicture = { remoteUrl: string; mediaType: string; alt: string };

/** An attachment with the notice it belongs to (null once that notice was deleted). */
export type AttachmentWithNotice = AttachmentRecord & { noticeId: number | null };

const COLUMNS = ['id', 'notice_id', 'state', 'file_key', 'media_type', 'width', 'height', 'thumb_width', 'thumb_height', 'alt', 'remote_url'];

function toRecord(row: Record<string, unknown>): AttachmentWithNotice {
  return {
    id: row.id as number,
    noticeId: row.notice_id as number | null,
    state: row.state as AttachmentRecord['state'],
    fileKey: row.file_key as string | null,
    mediaType: row.media_type as string,
    width: row.width as number | null,
    height: row.height as number | null,
    thumbWidth: row.thumb_width as number | null,
    thumbHeight: row.thumb_height as number | null,
    alt: row.alt as string,
    remoteUrl: row.remote_url as string | null,
  };
}

/** Attaches stored pictures to a notice, in the given order. */
export async function insertStoredPictures(db: Knex, noticeId: number, pictures: readonly StoredPicture[]): Promise<void> {
  if (pictures.length === 0) return;
  await db('notice_attachments').insert(
    pictures.map((p, position) => ({
      notice_id: noticeId,
      position,
      state: 'ready',
      file_key: p.fileKey,
      media_type: p.mediaType,
      width: p.width,
      height: p.height,
      thumb_width: p.thumbWidth,
      thumb_height: p.thumbHeight,
      alt: p.alt,
    })),
  );
}

/** Attaches remote pictures, still to be copied, to a notice; returns their ids in order. */
export async function insertPendingPictures(db: Knex, noticeId: number, pictures: readonly PendingPicture[]): Promise<number[]> {
  if (pictures.length === 0) return [];
  const rows = await db('notice_attachments')
    .insert(pictures.map((p, position) => ({ notice_id: noticeId, position, state: 'pending', media_type: p.mediaType, alt: p.alt, remote_url: p.remoteUrl })))
    .returning('id');
  return rows.map((row: { id: number }) => row.id);
}

/** A notice's attachments in order. */
export async function listNoticeAttachments(db: Knex, noticeId: number): Promise<AttachmentWithNotice[]> {
  const rows = await db('notice_attachments').select(COLUMNS).where({ notice_id: noticeId }).orderBy('position');
  return rows.map(toRecord);
}

// Positions a rearrangement passes through: above any a notice has (MAX 4), within the column's 0..15.
const SHIFT = 8;

/** One place in a rearranged list of attachments: an attachment the notice has (with its description now), or a remote picture to copy. */
export type AttachmentSlot = { id: number; alt: string } | PendingPicture;

/**
 * Rearranges a notice's attachments into `slots`, in order: those it has stay where the list puts
 * them, new remote pictures are added pending, any other is detached (its files are the
 * clean-up's). Returns the ids of the added ones, in order.
 */
export async function rearrangeAttachments(db: Knex, noticeId: number, slots: readonly AttachmentSlot[]): Promise<number[]> {
  const kept = slots.flatMap((slot) => ('id' in slot ? [slot.id] : []));
  const detach = db('notice_attachments').where({ notice_id: noticeId });
  if (kept.length > 0) detach.whereNotIn('id', kept);
  await detach.update({ notice_id: null });
  // Each position is unique per notice at every step: first out of the way, then into place.
  const added: number[] = [];
  for (const [index, slot] of slots.entries()) {
    if ('id' in slot) {
      await db('notice_attachments').where({ id: slot.id, notice_id: noticeId }).update({ position: SHIFT + index, alt: slot.alt });
    } else {
      const [row] = await db('notice_attachments')
        .insert({ notice_id: noticeId, position: SHIFT + index, state: 'pending', media_type: slot.mediaType, alt: slot.alt, remote_url: slot.remoteUrl })
        .returning('id');
      added.push((row as { id: number }).id);
    }
  }
  await db('notice_attachments').where({ notice_id: noticeId }).update({ position: db.raw('position - ?', [SHIFT]) });
  return added;
}

/** One attachment with its notice id, or undefined. */
export async function getAttachmentById(db: Knex, id: number): Promise<AttachmentWithNotice | undefined> {
  const row = await db('notice_attachments').select(COLUMNS).where({ id }).first();
  return row ? toRecord(row) : undefined;
}

/** The attachment whose stored files have this key, or undefined. */
export async function getAttachmentByFileKey(db: Knex, fileKey: string): Promise<AttachmentWithNotice | undefined> {
  const row = await db('notice_attachments').select(COLUMNS).where({ file_key: fileKey }).first();
  return row ? toRecord(row) : undefined;
}

/** Installs our copy of a remote picture while it is still pending and attached; false when it no longer is. */
export async function completePendingPicture(db: Knex, id: number, picture: Omit<StoredPicture, 'alt'>): Promise<boolean> {
  const changed = await db('notice_attachments')
    .where({ id, state: 'pending' })
    .whereNotNull('notice_id')
    .update({
      state: 'ready',
      file_key: picture.fileKey,
      media_type: picture.mediaType,
      width: picture.width,
      height: picture.height,
      thumb_width: picture.thumbWidth,
      thumb_height: picture.thumbHeight,
    });
  return changed > 0;
}

/** Marks a remote picture that could not be copied; the page links to it instead. */
export async function failPendingPicture(db: Knex, id: number): Promise<void> {
  await db('notice_attachments').where({ id, state: 'pending' }).update({ state: 'failed' });
}

/** Up to `limit` attachments of deleted notices (their files are to be removed). */
export async function listDetachedPictures(db: Knex, limit: number): Promise<AttachmentWithNotice[]> {
  const rows = await db('notice_attachments').select(COLUMNS).whereNull('notice_id').orderBy('id').limit(limit);
  return rows.map(toRecord);
}

/** Deletes attachment rows that are detached from any notice. */
export async function deleteDetachedPictures(db: Knex, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db('notice_attachments').whereIn('id', ids).whereNull('notice_id').delete();
}
