// Form bodies (application/x-www-form-urlencoded): express.raw reads the bytes (size limit,
// gzip), then they are parsed strictly, so that invalid UTF-8 is still visible as such when a
// route reads the fields. Serves the browser forms and the OMB endpoints alike.
import express from 'express';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';
import { parseFormStrict } from './form-encoding.ts';

/** The largest form body accepted. */
export const FORM_BODY_LIMIT = '64kb';
/** The most fields a form body may have. */
export const FORM_FIELDS_LIMIT = 50;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Reads and strictly parses form bodies into req.body; 415 for a charset other than UTF-8. */
export function formBody(): RequestHandler[] {
  const raw = express.raw({ type: FORM_TYPE, limit: FORM_BODY_LIMIT });
  const parse: RequestHandler = (req, _res, next) => {
    if (!Buffer.isBuffer(req.body) || !req.is(FORM_TYPE)) return next();
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1];
    // US-ASCII is a subset of UTF-8; anything else would give the bytes another meaning.
    if (charset !== undefined && !/^(utf-?8|us-ascii)$/i.test(charset)) throw new HttpError(415, 'Forms are accepted in UTF-8 only.');
    req.body = parseFormStrict(req.body, FORM_FIELDS_LIMIT);
    next();
  };
  return [raw, parse];
}
