// Searching notices (full text) and people (nickname and full name).
import { ValidationError } from '../errors.ts';
import type { ProfileRecord } from '../db/records.ts';
import { isIndexableNoticeQuery, searchNotices, searchProfiles } from '../db/search.ts';
import type { NameMatch } from '../db/search.ts';
import type { DomainContext } from './context.ts';
import { codePointLength } from './notice-text.ts';
import { hasControlCharacters } from './text-rules.ts';
import { readKeysetPage } from './paging.ts';
import { readPage } from './timelines.ts';
import type { NoticePage } from './timelines.ts';

/** Longest search text, in characters: longer ones are refused, not cut. */
export const SEARCH_MAX_LENGTH = 200;

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
// Three letters or digits in a row give a trigram index something to look up anywhere in a name.
const TRIGRAM_WORD = /[\p{L}\p{N}]{3}/u;

/** Search text as typed, with runs of spaces made one; ValidationError when it is too long or unreadable. */
export function normalizeSearchText(raw: string | undefined): string {
  const text = (raw ?? '').replace(/[\t\n\r ]+/g, ' ').trim();
  const length = codePointLength(text);
  if (length > SEARCH_MAX_LENGTH) {
    throw new ValidationError({ q: `That search is too long: ${length} characters, and a search can have at most ${SEARCH_MAX_LENGTH}.` });
  }
  // Tabs and line breaks were made spaces above; any other control character cannot be typed into a search box.
  if (hasControlCharacters(text)) throw new ValidationError({ q: 'The search contains control characters; type words to look for.' });
  return text;
}

/** Checks a notice search text (already normalised) for a word the index can look up. */
export async function checkNoticeQuery(ctx: DomainContext, text: string): Promise<void> {
  // Only excluded words ("-word") or only punctuation would mean reading every notice.
  if (!(await isIndexableNoticeQuery(ctx.db, text))) {
    throw new ValidationError({ q: 'Search for at least one word: words after a minus sign are only left out, and punctuation alone finds nothing.' });
  }
}

/** Notices matching the search, newest first; undefined page for an empty search (show the form only). */
export async function searchNoticesPage(ctx: DomainContext, raw: string | undefined, before: number | undefined): Promise<{ text: string; page: NoticePage | undefined }> {
  const text = normalizeSearchText(raw);
  if (text === '') return { text, page: undefined };
  await checkNoticeQuery(ctx, text);
  return { text, page: await readPage(before, (p) => searchNotices(ctx.db, text, p)) };
}

export type PeopleSearchPage = { people: ProfileRecord[]; olderBefore: number | undefined };

function nameMatch(text: string): NameMatch {
  const name = text.replace(/^@/, ''); // "@alice" is how people write a nickname
  if (!WORD_CHARACTER.test(name)) throw new ValidationError({ q: 'Search for a nickname or a name: at least one letter or digit.' });
  return { mode: TRIGRAM_WORD.test(name) ? 'substring' : 'word-prefix', text: name };
}

/** People whose nickname or name matches, newest first; undefined page for an empty search. */
export async function searchPeoplePage(ctx: DomainContext, raw: string | undefined, before: number | undefined): Promise<{ text: string; page: PeopleSearchPage | undefined }> {
  const text = normalizeSearchText(raw);
  if (text === '') return { text, page: undefined };
  const match = nameMatch(text);
  const page = await readKeysetPage(before, (p) => searchProfiles(ctx.db, match, p), (person) => person.id, 'There is nobody further in these results.');
  return { text, page: { people: page.items, olderBefore: page.olderBefore } };
}
