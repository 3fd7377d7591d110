// Reads the multipart avatar form before the CSRF check, because that check needs the form's
// `_csrf` field and only multer can parse a multipart body. The token is still checked: this only
// makes it readable. Upload problems are kept for the route to show, never turned into a skip.
import type { RequestHandler } from 'express';
import multer from 'multer';
import type { Config } from '../../config.ts';
import { InvalidText } from '../../form-encoding.ts';

/** Where the avatar form posts. */
export const AVATAR_UPLOAD_PATH = '/settings/avatar';

/** Why the upload could not be read: status and a message for the form. */
export type UploadProblem = { status: number; message: string };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** Set when the avatar upload could not be read. */
      uploadProblem?: UploadProblem;
    }
  }
}

function problemOf(error: unknown, maxBytes: number): UploadProblem {
  const code = error instanceof multer.MulterError ? error.code : undefined;
  switch (code) {
    case 'LIMIT_FILE_SIZE':
      return { status: 413, message: `That file is too large; images of at most ${Math.floor(maxBytes / 1024)} KB are accepted.` };
    case 'LIMIT_FILE_COUNT':
      return { status: 400, message: 'Send one image at a time.' };
    case 'LIMIT_UNEXPECTED_FILE':
      return { status: 400, message: 'Send one image, in the avatar field of this form.' };
    default:
      return { status: 400, message: 'The upload could not be read. Choose the image again and retry.' };
  }
}

// busboy has already decoded the text fields, turning bytes that are not UTF-8 into U+FFFD: no field
// of this form (only its CSRF token) can hold that character legitimately, so such a field is
// marked as invalid text like a urlencoded one would be. Returns whether any was.
export function markInvalidText(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const fields = body as Record<string, unknown>;
  let found = false;
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.includes('\uFFFD')) {
      fields[name] = new InvalidText(value);
      found = true;
    }
  }
  return found;
}

/** multer (memory storage, one file, capped) on POST /settings/avatar for signed-in users only. */
export function avatarUpload(config: Config): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.avatarMaxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
  }).single('avatar');
  return (req, res, next) => {
    if (req.method !== 'POST' || req.path !== AVATAR_UPLOAD_PATH || !req.is('multipart/form-data')) return next();
    // A visitor's upload fails the CSRF check anyway: do not buffer megabytes for it.
    if (req.session?.userId === undefined) return next();
    upload(req, res, (error: unknown) => {
      if (error) res.locals.uploadProblem = problemOf(error, config.avatarMaxBytes);
      else if (markInvalidText(req.body)) res.locals.uploadProblem = { status: 400, message: 'The form could not be read: a field was not UTF-8 text. Reload the page and try again.' };
      next();
    });
  };
}
