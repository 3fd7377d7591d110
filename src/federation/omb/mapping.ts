// Our rows -> OMB parameters, inside the limits every Laconica/StatusNet peer accepts (reference §3).
import type { Config } from '../../config.ts';
import type { NoticeRecord, ProfileRecord } from '../../domain/lookups.ts';
import { avatarPath, noticeUrl, profileUrl } from '../../domain/urls.ts';
import { DEFAULT_LICENSE, OMB_VERSION } from './constants.ts';
import { userUri } from './identity.ts';
import type { Params } from './oauth.ts';
import { isHttpUrl, truncateBytes } from './params.ts';
import { ombNoticeContent } from './notice-content.ts';

/** The absolute URL of a local user's 96×96 avatar, or undefined when they have none (then it is not sent). */
export function avatarUrlOf(config: Config, profile: ProfileRecord): string | undefined {
  if (!profile.isLocal || !profile.avatarKey) return undefined;
  // The key is part of the URL, so a new picture is a new URL and peers fetch it again.
  return `${config.publicUrl}${avatarPath(profile, profile.avatarKey, 96)}`;
}

/** A local profile's fields as omb_listenee_* / omb_listener_* parameters; `complete` sends blanks as "". */
export function toProfileParams(config: Config, profile: ProfileRecord, prefix: 'omb_listenee' | 'omb_listener', complete: boolean): Params {
  const params: Params = {
    [prefix]: userUri(config, profile.id),
    [`${prefix}_profile`]: profileUrl(config.publicUrl, profile.nickname),
    [`${prefix}_nickname`]: profile.nickname,
    [`${prefix}_license`]: DEFAULT_LICENSE,
  };
  const homepage = profile.homepage && isHttpUrl(profile.homepage) ? profile.homepage : '';
  const optional: [string, string][] = [
    ['fullname', truncateBytes(profile.fullname ?? '', 255)],
    ['homepage', homepage],
    ['bio', truncateBytes(profile.bio ?? '', 140)], // we allow 140 code points, OMB 140 bytes: cut on a code point
    ['location', truncateBytes(profile.location ?? '', 255)],
  ];
  for (const [suffix, value] of optional) if (value !== '' || complete) params[`${prefix}_${suffix}`] = value;
  const avatar = avatarUrlOf(config, profile);
  // An empty avatar in a complete update tells the peer the picture was removed.
  if (avatar !== undefined || complete) params[`${prefix}_avatar`] = avatar ?? '';
  return params;
}

/** The parameters of a postNotice for a local notice (without the OAuth ones). */
export function toNoticeParams(config: Config, notice: NoticeRecord): Params {
  const url = noticeUrl(config.publicUrl, notice.id);
  return {
    omb_version: OMB_VERSION,
    omb_listenee: userUri(config, notice.author.id),
    omb_notice: url,
    omb_notice_content: ombNoticeContent(config.publicUrl, notice), // its pictures as links to their pages
    omb_notice_url: url,
    omb_notice_license: DEFAULT_LICENSE,
  };
}

/** The parameters of an updateProfile for a local profile: every field, every time. */
export function toUpdateProfileParams(config: Config, profile: ProfileRecord): Params {
  return { omb_version: OMB_VERSION, ...toProfileParams(config, profile, 'omb_listenee', true) };
}

// OMB carries 140 code points of plain text.
const OMB_NOTICE_MAX = 140;

/** Text cut to `max` code points, ending with "…" when something was cut. */
function shorten(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('').trimEnd()}…`;
}

/**
 * The parameters of a postNotice for a local repeat. OMB 0.1 has no repeats: as StatusNet did, it
 * goes as an ordinary notice of the repeater, "RT @author: text", here with the original's link
 * after it, the text shortened so that both fit in 140 characters.
 */
export function toRepeatParams(config: Config, repeat: NoticeRecord, original: NoticeRecord): Params {
  const params = toNoticeParams(config, repeat);
  const link = original.isLocal ? noticeUrl(config.publicUrl, original.id) : [original.url, original.uri].find((u): u is string => u !== null && isHttpUrl(u));
  // A link longer than half a notice would leave no text worth reading: then the text alone.
  const room = link && [...link].length <= OMB_NOTICE_MAX / 2 ? OMB_NOTICE_MAX - [...link].length - 1 : undefined;
  params.omb_notice_content = room === undefined ? shorten(repeat.content, OMB_NOTICE_MAX) : `${shorten(repeat.content, room)} ${link}`;
  return params;
}
