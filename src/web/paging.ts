// Links between pages of a keyset-paged list.
import { parseCursor } from '../domain/timelines.ts';
import { queryParam } from './forms.ts';

/** The "?before=" cursor of a request (400 when malformed). */
export function cursorFrom(query: unknown): number | undefined {
  return parseCursor(queryParam(query, 'before'));
}

/** URL of the next, older page (keeping other query parameters, such as a search), or undefined on the last page. */
export function olderUrl(path: string, olderBefore: number | undefined, query: Record<string, string> = {}): string | undefined {
  if (olderBefore === undefined) return undefined;
  return `${path}?${new URLSearchParams({ ...query, before: String(olderBefore) }).toString()}`;
}
