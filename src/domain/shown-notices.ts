// What a list of notices shows its reader: a repeat shows the notice it repeats (with who repeated
// it), and each notice whether the reader favorited or repeated it already, for the buttons.
import type { NoticeRecord } from '../db/records.ts';
import { listShownNotices } from '../db/shown-notices.ts';
import type { DomainContext } from './context.ts';

export type ShownNotice = {
  /** The notice as the list holds it: a repeat, or the notice itself. */
  listed: NoticeRecord;
  /** What is shown: the original of a repeat, else the listed notice. */
  shown: NoticeRecord;
  favorited: boolean;
  repeated: boolean;
};

/**
 * The notices of one page as this viewer (or a visitor) sees them: one query for the whole page,
 * and none for a visitor's page without repeats. A repeat of a notice nobody may see any more is left out.
 */
export async function showNotices(ctx: DomainContext, notices: readonly NoticeRecord[], viewerId: number | undefined): Promise<ShownNotice[]> {
  if (viewerId === undefined && notices.every((notice) => notice.repeatOf === null)) {
    return notices.map((notice) => ({ listed: notice, shown: notice, favorited: false, repeated: false }));
  }
  const rows = await listShownNotices(ctx.db, viewerId ?? 0, notices.map((notice) => notice.id));
  const byListedId = new Map(rows.map((row) => [row.listedId, row]));
  return notices.flatMap((listed) => {
    const row = byListedId.get(listed.id);
    return row ? [{ listed, shown: row.notice, favorited: row.favorited, repeated: row.repeated }] : [];
  });
}
