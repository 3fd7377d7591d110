// Reads the multipart post form (text and up to four pictures) before the CSRF check, as the avatar
// form's middleware does, and for the same reason: the token is a field of the multipart body. The
// form may also arrive urlencoded (no pictures); that is read by the ordinary body parser.
// Problems are kept for the route, which shows the form again with what was typed.
import type { RequestHandler } from 'express';
import multer from 'multer';
import type { Config } from '../../config.ts';
import { ALT_MAX_LENGTH, MAX_PICTURES } from '../../domain/picture-uploads.ts';
import { markInvalidText } from './avatar-upload.ts';
import type { UploadProblem } from './avatar-upload.ts';

/** Where the post form posts. */
export const POST_NOTICE_PATH = '/notice/new';

/** The file fields of the post form, one per picture slot (MAX_PICTURES of them). */
export const PICTURE_FIELDS = ['picture1', 'picture2', 'picture3', 'picture4'] as const;
/** The description fields that go with them. */
export const ALT_FIELDS = ['alt1', 'alt2', 'alt3', 'alt4'] as const;

// Text fields: the token, content, reply target, return path and one description per picture.
const MAX_TEXT_FIELDS = 4 + MAX_PICTURES + 2;

function slotOf(field: string | undefined): string {
  const match = /^picture(\d)$/.exec(field ?? '');
  return match ? `Picture ${match[1]}` : 'A picture';
}

function problemOf(error: unknown, maxBytes: number): UploadProblem {
  const multerError = error instanceof multer.MulterError ? error : undefined;
  switch (multerError?.code) {
    case 'LIMIT_FILE_SIZE':
      return { status: 413, message: `${slotOf(multerError.field)} is too large: pictures of at most ${Math.floor(maxBytes / 1024)} KB each are accepted.` };
    case 'LIMIT_FILE_COUNT':
    case 'LIMIT_UNEXPECTED_FILE':
      return { status: 400, message: `A notice can carry at most ${MAX_PICTURES} pictures, one in each picture field of the form.` };
    case 'LIMIT_FIELD_VALUE':
      return { status: 413, message: 'A text field of the form is far too long.' };
    default:
      return { status: 400, message: 'The form could not be read; please try again.' };
  }
}

/** multer (memory storage, up to four capped files) on POST /notice/new for signed-in users only. */
export function pictureUpload(config: Config): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: {
      fileSize: config.pictureMaxBytes,
      files: MAX_PICTURES,
      fields: MAX_TEXT_FIELDS,
      // Room for the longest notice and description in 4-byte characters; the domain counts them.
      fieldSize: Math.max(config.noticeMaxLength, ALT_MAX_LENGTH) * 4 + 1024,
      parts: MAX_TEXT_FIELDS + MAX_PICTURES,
      headerPairs: 100,
    },
  }).fields(PICTURE_FIELDS.map((name) => ({ name, maxCount: 1 })));
  return (req, res, next) => {
    if (req.method !== 'POST' || req.path !== POST_NOTICE_PATH || !req.is('multipart/form-data')) return next();
    // A visitor's post fails the CSRF check and sign-in anyway: do not buffer megabytes for it.
    if (req.session?.userId === undefined) return next();
    upload(req, res, (error: unknown) => {
      if (error) res.locals.uploadProblem = problemOf(error, config.pictureMaxBytes);
      // Fields that were not UTF-8 are refused by the route like urlencoded ones, the text shown again.
      markInvalidText(req.body);
      next();
    });
  };
}
