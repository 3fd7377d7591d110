// Notice text: plain text in, tokens out; rendered to HTML once, when the notice is saved.

export type NoticeToken =
  | { kind: 'text'; text: string }
  | { kind: 'url'; text: string; href: string }
  /** `nickname` is lower case; `host` is set for a full handle (@user@host, as the fediverse writes them). */
  | { kind: 'mention'; text: string; nickname: string; host?: string }
  | { kind: 'tag'; text: string; tag: string };

// One pass over the text, left to right: URLs first so that "#" or "@" inside a URL stays in it.
// A mention or tag must not follow a word character (e-mail addresses, "C#"). A full handle
// (@user@host) names someone elsewhere: its user part may have the underscores and dots other
// servers allow, its host a port (development servers); a plain @nickname is Laconica's.
const TOKEN_PATTERN =
  /(?<url>\bhttps?:\/\/[^\s<>"]+)|(?<![\p{L}\p{N}_@])@(?:(?<user>[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})@(?<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?)(?![\w-])|(?<mention>[A-Za-z0-9]{1,64})(?![A-Za-z0-9]))|(?<![\p{L}\p{N}_&#])#(?<tag>[\p{L}\p{N}_][\p{L}\p{N}_\-.]*)/gu;

const TRAILING_URL_PUNCTUATION = /[.,;:!?'"]+$/;

// Closing brackets end a URL only when the URL has no matching opening one: "(see http://x/y)".
function trimUrl(candidate: string): string {
  let url = candidate.replace(TRAILING_URL_PUNCTUATION, '');
  for (const [open, close] of [['(', ')'], ['[', ']']] as const) {
    while (url.endsWith(close) && url.split(close).length > url.split(open).length) {
      url = url.slice(0, -1).replace(TRAILING_URL_PUNCTUATION, '');
    }
  }
  return url;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const TAG_PATTERN = /^[\p{L}\p{N}_][\p{L}\p{N}_\-.]{0,254}$/u;

/** Whether a (canonical) string could be a tag at all. */
export function isTag(text: string): boolean {
  return TAG_PATTERN.test(text);
}

/** Canonical form of a tag: lower case, without trailing dots or dashes. */
export function canonicalTag(raw: string): string {
  return raw.replace(/[.\-]+$/, '').toLowerCase();
}

/** Splits notice text into plain text, URLs, @mentions and #tags. */
export function tokenizeNotice(text: string): NoticeToken[] {
  const tokens: NoticeToken[] = [];
  let plain = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const groups = match.groups!;
    let token: NoticeToken | undefined;
    let length = match[0].length;
    if (groups.url !== undefined) {
      const url = trimUrl(groups.url);
      length = url.length;
      if (isHttpUrl(url)) token = { kind: 'url', text: url, href: url };
    } else if (groups.user !== undefined) {
      token = { kind: 'mention', text: match[0], nickname: groups.user.toLowerCase(), host: groups.host!.toLowerCase() };
    } else if (groups.mention !== undefined) {
      token = { kind: 'mention', text: match[0], nickname: groups.mention.toLowerCase() };
    } else if (groups.tag !== undefined) {
      const tag = canonicalTag(groups.tag);
      length = 1 + groups.tag.replace(/[.\-]+$/, '').length;
      if (tag !== '') token = { kind: 'tag', text: match[0].slice(0, length), tag };
    }
    plain += text.slice(last, match.index);
    if (token) {
      if (plain) tokens.push({ kind: 'text', text: plain });
      plain = '';
      tokens.push(token);
    } else {
      plain += text.slice(match.index, match.index + length);
    }
    last = match.index + length;
  }
  plain += text.slice(last);
  if (plain) tokens.push({ kind: 'text', text: plain });
  return tokens;
}

/** Who a mention token names: its nickname, or user@host for a full handle. */
export function mentionName(token: { nickname: string; host?: string }): string {
  return token.host === undefined ? token.nickname : `${token.nickname}@${token.host}`;
}

/** Names mentioned in the tokens (nicknames, and user@host for full handles), once each, in order. */
export function mentionedNicknames(tokens: readonly NoticeToken[]): string[] {
  return [...new Set(tokens.flatMap((t) => (t.kind === 'mention' ? [mentionName(t)] : [])))];
}

/** Tags in the tokens, once each, in order. */
export function noticeTags(tokens: readonly NoticeToken[]): string[] {
  return [...new Set(tokens.flatMap((t) => (t.kind === 'tag' ? [t.tag] : [])))];
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type RenderLinks = {
  /** Profile URL for a mentioned nickname (or user@host), or undefined when nobody here has it. */
  profileUrl(nickname: string): string | undefined;
  /** URL of a tag's page. */
  tagUrl(tag: string): string;
};

/** Renders tokens to safe HTML: everything escaped, links only for http(s) URLs and known people. */
export function renderNoticeHtml(tokens: readonly NoticeToken[], links: RenderLinks): string {
  return tokens
    .map((token) => {
      switch (token.kind) {
        case 'text':
          return escapeHtml(token.text);
        case 'url':
          return `<a href="${escapeHtml(token.href)}" rel="nofollow noopener" class="notice-link">${escapeHtml(token.text)}</a>`;
        case 'mention': {
          const url = links.profileUrl(mentionName(token));
          if (url === undefined) return escapeHtml(token.text);
          return `@<a href="${escapeHtml(url)}" class="mention">${escapeHtml(token.text.slice(1))}</a>`;
        }
        case 'tag':
          return `#<a href="${escapeHtml(links.tagUrl(token.tag))}" rel="tag" class="hashtag">${escapeHtml(token.text.slice(1))}</a>`;
      }
    })
    .join('');
}

/** Length of a notice as people count it: Unicode code points. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
