// Checks on content arriving from another server, written once whatever protocol brought it:
// protocol adapters verify who sent it, the domain decides whether it can be stored.
import { ValidationError } from '../errors.ts';
import type { Config } from '../config.ts';
import { codePointLength } from './notice-text.ts';
import { hasControlCharacters, isHttpUrl, isRemoteUri } from './text-rules.ts';

/** Notices from other servers may always be this long, whatever our own limit (StatusNet's). */
export const REMOTE_NOTICE_MIN_LIMIT = 140;

export type RemoteNoticeInput = { uri: string; url: string | null; content: string };

/** The notice with its line breaks normalised, or ValidationError (400) naming what cannot be stored; its text may be empty only when it carries pictures. */
export function checkRemoteNotice<T extends RemoteNoticeInput>(config: Config, notice: T, hasPictures = false): T {
  if (!isRemoteUri(notice.uri)) throw new ValidationError({ uri: 'The notice URI must be an http(s) URL (or tag: URI) of at most 255 bytes.' });
  if (notice.url !== null && !isHttpUrl(notice.url)) throw new ValidationError({ url: 'The notice URL must be an http(s) URL of at most 255 bytes.' });
  const content = notice.content.replace(/\r\n?/g, '\n');
  if (content === '' && !hasPictures) throw new ValidationError({ content: 'The notice has no content.' });
  if (hasControlCharacters(content)) throw new ValidationError({ content: 'The notice content contains control characters.' });
  const length = codePointLength(content);
  const max = Math.max(REMOTE_NOTICE_MIN_LIMIT, config.noticeMaxLength);
  if (length > max) throw new ValidationError({ content: `The notice content is ${length} characters; at most ${max} are accepted.` });
  return { ...notice, content };
}
