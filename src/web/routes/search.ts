// Searching notices and people, and the OpenSearch descriptions browsers add as search engines.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { SEARCH_MAX_LENGTH, searchNoticesPage, searchPeoplePage } from '../../domain/search.ts';
import { ValidationError } from '../../errors.ts';
import { InvalidTextError, queryParam } from '../forms.ts';
import { cursorFrom, olderUrl } from '../paging.ts';
import { feedLinks } from '../presenters/feed-links.ts';
import { presentNotices } from '../notice-lists.ts';
import { openSearchDescription } from '../presenters/opensearch.ts';
import type { SearchKind } from '../presenters/opensearch.ts';
import { personView } from '../presenters/profiles.ts';

const FORMS = {
  notice: { kindLabel: 'Search notices', hint: `Words to find; "quotes" for a phrase, or between alternatives, -word to leave out. At most ${SEARCH_MAX_LENGTH} characters.` },
  people: { kindLabel: 'Search people', hint: `A nickname or a name, or part of one. At most ${SEARCH_MAX_LENGTH} characters.` },
} as const;

type Results = { searched: boolean; notices?: unknown[]; people?: unknown[]; olderUrl?: string; feeds?: unknown[]; error?: string };

// A search for @user@host or an address is likely someone on another server: the results offer to look them up there.
const REMOTE_ADDRESS = /^(?:@?[\w.~+-]+@[^@\s/?#]+|https?:\/\/\S+)$/i;

function render(res: Response, kind: SearchKind, text: string, results: Results, status = 200) {
  const title = results.searched && !results.error ? `${FORMS[kind].kindLabel}: ${text}` : FORMS[kind].kindLabel;
  const remoteAddress = REMOTE_ADDRESS.test(text) ? text : '';
  res.status(status).render('search/results', { title, kind, text, remoteAddress, ...FORMS[kind], error: undefined, notices: [], people: [], olderUrl: undefined, ...results });
}

// A refused search shows the form again with what was typed, and nothing else.
async function orRefuse(res: Response, kind: SearchKind, query: unknown, run: (raw: string | undefined) => Promise<void>): Promise<void> {
  let raw: string | undefined;
  try {
    raw = queryParam(query, 'q');
    await run(raw);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const typed = error instanceof InvalidTextError ? error.values.q : raw;
    render(res, kind, typed ?? '', { searched: false, error: error.message }, error.status);
  }
}

/** GET /search/notice, /search/people, /opensearch/notice and /opensearch/people. */
export function searchRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/search/notice', async (req, res) => {
    await orRefuse(res, 'notice', req.query, async (raw) => {
      const { text, page } = await searchNoticesPage(ctx, raw, cursorFrom(req.query));
      if (!page) return render(res, 'notice', text, { searched: false });
      render(res, 'notice', text, {
        searched: true,
        notices: await presentNotices(ctx, req, res, page.notices),
        olderUrl: olderUrl('/search/notice', page.olderBefore, { q: text }),
        feeds: feedLinks('/search/notice', `notices matching “${text}”`, { q: text }),
      });
    });
  });

  router.get('/search/people', async (req, res) => {
    await orRefuse(res, 'people', req.query, async (raw) => {
      const { text, page } = await searchPeoplePage(ctx, raw, cursorFrom(req.query));
      if (!page) return render(res, 'people', text, { searched: false });
      render(res, 'people', text, { searched: true, people: page.people.map(personView), olderUrl: olderUrl('/search/people', page.olderBefore, { q: text }) });
    });
  });

  router.get('/opensearch/:kind', (req, res, next) => {
    const kind = req.params.kind;
    if (kind !== 'notice' && kind !== 'people') return next();
    res.type('application/opensearchdescription+xml').send(openSearchDescription(ctx.config, kind));
  });

  return router;
}
