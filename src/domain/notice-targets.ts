// The notice a favorite or a repeat is about, as a form or another server names it: a repeat
// stands for the notice it repeats, and a notice nobody may see cannot be acted on.
import { GoneError, NotFoundError, ValidationError } from '../errors.ts';
import { isProfileSuspended } from '../db/moderation.ts';
import { getNoticeById } from '../db/notices.ts';
import type { AuthorRecord, NoticeRecord } from '../db/records.ts';
import type { Db } from './context.ts';
import { parseId } from './ids.ts';

/** The notice this id names, or the original when it names a repeat; undefined when there is none or its author is suspended. */
export async function findActionableNotice(db: Db, id: number): Promise<NoticeRecord | undefined> {
  let notice = await getNoticeById(db, id);
  if (notice && notice.repeatOf !== null) notice = await getNoticeById(db, notice.repeatOf);
  if (!notice || (await isProfileSuspended(db, notice.author.id))) return undefined;
  return notice;
}

/** The notice a form's `notice` field names (a repeat stands for its original); 400 for no number, 404 for none, 410 for a removed one. */
export async function noticeToActOn(db: Db, raw: string): Promise<NoticeRecord> {
  const id = parseId(raw.trim());
  if (id === undefined) throw new ValidationError({ notice: 'Say which notice: the “notice” field must be a notice number.' });
  let notice = await getNoticeById(db, id);
  if (notice && notice.repeatOf !== null) notice = await getNoticeById(db, notice.repeatOf);
  if (!notice) throw new NotFoundError('There is no such notice: it may have been deleted.');
  if (await isProfileSuspended(db, notice.author.id)) throw new GoneError('This notice has been removed.');
  return notice;
}

/** How a notice's author is named in "RT @author": the nickname here, nickname@host for someone elsewhere. */
export function authorHandle(author: Pick<AuthorRecord, 'nickname' | 'isLocal' | 'profileUrl'>): string {
  if (author.isLocal || !author.profileUrl) return author.nickname;
  try {
    return `${author.nickname}@${new URL(author.profileUrl).host}`;
  } catch {
    return author.nickname;
  }
}
