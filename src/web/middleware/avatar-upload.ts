// Reads the multipart avatar form before the CSRF check, because that check needs the form's
// `_csrf` field and only multer can parse a multipart body. The token is still checked: this only
// makes it readable. Upload problems are kept for the route to show, never turned into a skip.
import type { RequestHandler } from 'express';
import multer from 'multer';
import type { Config } from '../../config.ts';

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
      next();
    });
  };
}
