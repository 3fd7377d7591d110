// Keyset paging ("?before=<id>"), written once for every list: notices, people, search results.
import { NotFoundError } from '../errors.ts';
import type { PageRequest } from '../db/timelines.ts';

/** Items on one page of any list. */
export const PAGE_SIZE = 20;

export type KeysetPage<T> = {
  items: T[];
  /** Cursor for the next, older page; undefined on the last page. */
  olderBefore: number | undefined;
  /** Whether this page was asked for with a cursor (so it is not the first). */
  isContinuation: boolean;
};

/** One page of a keyset-paged list (one extra row tells whether there is more); NotFoundError with `pastTheEnd` for an empty later page. */
export async function readKeysetPage<T>(
  before: number | undefined,
  list: (page: PageRequest) => Promise<T[]>,
  cursorOf: (item: T) => number,
  pastTheEnd: string,
): Promise<KeysetPage<T>> {
  const rows = await list({ before, limit: PAGE_SIZE + 1 });
  const items = rows.slice(0, PAGE_SIZE);
  const last = items[items.length - 1];
  const isContinuation = before !== undefined;
  if (isContinuation && items.length === 0) throw new NotFoundError(pastTheEnd);
  return { items, olderBefore: rows.length > PAGE_SIZE && last !== undefined ? cursorOf(last) : undefined, isContinuation };
}
