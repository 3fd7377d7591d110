// Conditional GET, evaluated as RFC 9110 section 13.2.2 says an origin server does.
import type { Request } from 'express';

// Express's req.fresh also treats a request's "Cache-Control: no-cache" as "never fresh"; that
// directive is for caches, and fetch() sends it with every conditional request, so it is not used.

const opaqueTag = (tag: string) => tag.trim().replace(/^W\//, '');

/** Whether a GET or HEAD may be answered 304: If-None-Match decides when present, else If-Modified-Since. */
export function isNotModified(req: Request, etag: string, lastModified: Date | undefined): boolean {
  const noneMatch = req.get('if-none-match');
  if (noneMatch !== undefined) {
    if (noneMatch.trim() === '*') return true;
    return noneMatch.split(',').some((tag) => opaqueTag(tag) === opaqueTag(etag)); // weak comparison
  }
  const since = req.get('if-modified-since');
  if (since === undefined || lastModified === undefined) return false;
  const time = Date.parse(since);
  // HTTP dates have whole seconds: compare with the Last-Modified the client was given.
  return !Number.isNaN(time) && Math.floor(lastModified.getTime() / 1000) * 1000 <= time;
}
