// Where a remote identity lives. A person on another server is bound to the site that hosts them:
// their identifier URI, their profile page, the server that speaks for them and the notices they
// write must all be on that one site, so that no server can speak for people, or notices, of
// another. Protocol-neutral: OMB uses it today, ActivityPub the same way.
import { HttpError } from '../errors.ts';

/** Content from another server that claims a place (a URI, a URL) it cannot speak for. */
export class RemoteOriginError extends HttpError {}

/**
 * Where a URI points: for an http(s) URL its site (host name and port; a scheme's default port
 * counts as none, so http://h and https://h are one site, as a site moving to https stays itself)
 * and its host name; for a tag: URI the tagging authority's host name only (a tag has no port).
 */
type Place = { host: string; site: string | undefined };

function placeOf(uri: string | null | undefined): Place | undefined {
  if (!uri) return undefined;
  if (/^tag:/i.test(uri)) {
    const authority = /^tag:([^,\s]+),\d{4}(?:-\d{2}(?:-\d{2})?)?:/i.exec(uri)?.[1];
    if (!authority) return undefined;
    const host = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase(); // an e-mail authority: its domain
    return host ? { host, site: undefined } : undefined;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  return { host: url.hostname, site: url.host }; // WHATWG URL lower-cases the host and drops the default port
}

/** Whether two URIs are on one site (a tag: URI matches by host name only); false if either is neither. */
export function sameSite(one: string | null | undefined, other: string | null | undefined): boolean {
  const a = placeOf(one);
  const b = placeOf(other);
  if (!a || !b) return false;
  return a.site !== undefined && b.site !== undefined ? a.site === b.site : a.host === b.host;
}

/** The site of an http(s) URL or tag: URI as people read it (host, and port if not the default). */
export function siteName(uri: string | null | undefined): string {
  const place = placeOf(uri);
  return place ? (place.site ?? place.host) : 'an unknown site';
}

/** Refuses an identity whose identifier and profile page are not on one site. */
export function checkRemoteIdentity(identity: { uri: string; profileUrl: string }): void {
  if (!sameSite(identity.uri, identity.profileUrl)) {
    throw new RemoteOriginError(403, `The identifier ${identity.uri} and the profile ${identity.profileUrl} are not on the same site.`);
  }
}

/** Refuses a notice whose URI or URL is not on its author's site (the one of their identifier or profile page). */
export function checkNoticeOrigin(author: { uri: string | null; profileUrl: string | null }, notice: { uri: string; url: string | null }): void {
  const onAuthorsSite = (value: string) => sameSite(value, author.uri) || sameSite(value, author.profileUrl);
  const home = siteName(author.profileUrl ?? author.uri);
  if (!onAuthorsSite(notice.uri)) throw new RemoteOriginError(400, `The notice URI ${notice.uri} is not on the site of its author (${home}).`);
  if (notice.url !== null && !onAuthorsSite(notice.url)) throw new RemoteOriginError(400, `The notice URL ${notice.url} is not on the site of its author (${home}).`);
}
