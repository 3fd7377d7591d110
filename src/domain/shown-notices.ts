// What a list of notices shows its reader: a repeat shows the notice it repeats (with who repeated
// it), and each notice whether the reader favorited or repeated it already, for the buttons.
import type { NoticeRecord } from '../db/records.ts';
import { listOriginalNotices, listViewerMarks } from '../db/shown-notices.ts';
import type { ViewerMarks } from '../db/shown-notices.ts';
import type { DomainContext } from './context.ts';

export type ShownNotice = {
  /** The notice as the list holds it: a repeat, or the notice itself. */
  listed: NoticeRecord;
  /** What is shown: the original of a repeat, else the listed notice. */
  shown: NoticeRecord;
  favorited: boolean;
  repeated: boolean;
};

const UNMARKED: ViewerMarks = { favorited: false, repeated: false };

/**
 * The notices of one page as this viewer (or a visitor) sees them: a query for the originals of
 * its repeats when it has any, one for the viewer's marks when signed in (the two at once), and
 * none for a visitor's page without repeats. A repeat of a notice nobody may see any more is left out.
 */
export async function showNotices(ctx: DomainContext, notices: readonly NoticeRecord[], viewerId: number | undefined): Promise<ShownNotice[]> {
  if (viewerId === undefined && notices.every((notice) => notice.repeatOf === null)) {
    return notices.map((notice) => ({ listed: notice, shown: notice, ...UNMARKED })); // a visitor's page without repeats: nothing to read
  }
  const repeated = [...new Set(notices.flatMap((notice) => (notice.repeatOf !== null ? [notice.repeatOf] : [])))];
  const shownIds = [...new Set(notices.map((notice) => notice.repeatOf ?? notice.id))];
  const [originals, marks] = await Promise.all([
    listOriginalNotices(ctx.db, repeated),
    viewerId !== undefined ? listViewerMarks(ctx.db, viewerId, shownIds) : new Map<number, ViewerMarks>(),
  ]);
  const originalsById = new Map(originals.map((notice) => [notice.id, notice]));
  return notices.flatMap((listed) => {
    const shown = listed.repeatOf === null ? listed : originalsById.get(listed.repeatOf);
    if (!shown) return [];
    const { favorited, repeated: viewerRepeated } = marks.get(shown.id) ?? UNMARKED;
    return [{ listed, shown, favorited, repeated: viewerRepeated }];
  });
}
