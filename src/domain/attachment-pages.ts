// The pages and files of pictures attached to notices, shown only while their notice may be.
import { getAttachmentByFileKey, getAttachmentById } from '../db/attachments.ts';
import type { AttachmentWithNotice } from '../db/attachments.ts';
import type { AttachmentRecord, NoticeRecord } from '../db/records.ts';
import { NotFoundError } from '../errors.ts';
import { parsePictureFileName, pictureFileName, pictureFilePath, servedMediaType } from './attachment-files.ts';
import type { DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { getNotice } from './notices.ts';

export type { AttachmentRecord };

// An attachment of a notice that may be shown: 404 for none or a deleted notice's, the notice's own
// refusal (410 for a suspended author) otherwise.
async function shownAttachment(ctx: DomainContext, attachment: AttachmentWithNotice | undefined): Promise<{ attachment: AttachmentWithNotice; notice: NoticeRecord }> {
  if (!attachment || attachment.noticeId === null) throw new NotFoundError('No such picture.');
  const notice = await getNotice(ctx, String(attachment.noticeId));
  return { attachment, notice };
}

/** A picture (from a URL id) with its notice, for its page; NotFoundError when there is none. */
export async function getAttachment(ctx: DomainContext, rawId: string): Promise<{ attachment: AttachmentRecord; notice: NoticeRecord; number: number }> {
  const id = parseId(rawId);
  const { attachment, notice } = await shownAttachment(ctx, id === undefined ? undefined : await getAttachmentById(ctx.db, id));
  return { attachment, notice, number: notice.attachments.findIndex((a) => a.id === attachment.id) + 1 };
}

/** The stored file behind a picture URL's file name, and the type it is served as; NotFoundError for any other name. */
export async function pictureFile(ctx: DomainContext, fileName: string): Promise<{ file: string; mediaType: string }> {
  const parsed = parsePictureFileName(fileName);
  const found = parsed ? await getAttachmentByFileKey(ctx.db, parsed.key) : undefined;
  const { attachment } = await shownAttachment(ctx, found);
  // The name must be exactly the one we give out (the extension of its stored type).
  if (pictureFileName(attachment.fileKey!, attachment.mediaType, parsed!.variant) !== fileName) throw new NotFoundError('No such picture.');
  return { file: pictureFilePath(ctx.config, fileName), mediaType: servedMediaType(attachment.mediaType, parsed!.variant) };
}
