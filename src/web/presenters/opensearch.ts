// OpenSearch 1.1 descriptions, so that browsers can offer this site's searches.
import type { Config } from '../../config.ts';
import { el, xmlDocument } from './xml.ts';

export type SearchKind = 'notice' | 'people';

// OpenSearch limits ShortName to 16 characters.
function shortName(siteName: string, kind: SearchKind): string {
  const suffix = kind === 'notice' ? ' notices' : ' people';
  const room = 16 - suffix.length;
  const site = [...siteName].length > room ? [...siteName].slice(0, room - 1).join('') + '…' : siteName;
  return site + suffix;
}

/** The OpenSearch description document of one kind of search, with absolute URLs. */
export function openSearchDescription(config: Pick<Config, 'publicUrl' | 'siteName'>, kind: SearchKind): string {
  const base = `${config.publicUrl}/search/${kind}`;
  const what = kind === 'notice' ? 'notices' : 'people';
  const feeds =
    kind === 'notice'
      ? [el('Url', { type: 'application/rss+xml', template: `${base}/rss?q={searchTerms}` }), el('Url', { type: 'application/atom+xml', template: `${base}/atom?q={searchTerms}` })]
      : [];
  return xmlDocument(
    el(
      'OpenSearchDescription',
      { xmlns: 'http://a9.com/-/spec/opensearch/1.1/' },
      el('ShortName', {}, shortName(config.siteName, kind)),
      el('Description', {}, `Search ${what} on ${config.siteName}`),
      el('InputEncoding', {}, 'UTF-8'),
      el('Url', { type: 'text/html', method: 'get', template: `${base}?q={searchTerms}` }),
      ...feeds,
      el('Url', { type: 'application/opensearchdescription+xml', rel: 'self', template: `${config.publicUrl}/opensearch/${kind}` }),
    ),
  );
}
