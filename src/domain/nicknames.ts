// Nicknames: the part of a local profile URL after the host, so they must not shadow site paths.

const NICKNAME_PATTERN = /^[a-z0-9]{1,64}$/;

// Laconica's first path segments and ours, present and planned.
const RESERVED = new Set([
  'main', 'settings', 'notice', 'notices', 'tag', 'tags', 'search', 'api', 'user', 'users', 'conversation',
  'rss', 'atom', 'opensearch', 'admin', 'public', 'css', 'js', 'images', 'avatar', 'avatars', 'favicon',
  'robots', 'healthz', 'readyz', 'doc', 'docs', 'group', 'groups', 'xrds', 'index', 'login', 'logout',
  'register', 'feeds', 'featured', 'favorited', 'social', 'peopletag', 'attachment', 'attachments', 'static', 'omb',
  'oauth', 'remote', 'subscribe', 'unsubscribe', 'home', 'all', 'replies', 'inbox', 'outbox', 'well',
  'nodeinfo', 'message', 'messages', 'about', 'help', 'privacy', 'terms', 'support', 'root', 'system', 'ostrakon', 'www',
]);

/** Normalises a nickname typed by a person (trimmed, lower case). */
export function normalizeNickname(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Why this (normalised) nickname cannot be registered, or undefined when it can. */
export function nicknameProblem(nickname: string): string | undefined {
  if (nickname === '') return 'Choose a nickname.';
  if (!NICKNAME_PATTERN.test(nickname)) return 'Nicknames are 1 to 64 lower-case letters (a-z) and digits, with no spaces.';
  if (RESERVED.has(nickname)) return `“${nickname}” is reserved by the site; choose another nickname.`;
  return undefined;
}

/** Whether a URL path segment could be a local nickname at all. */
export function looksLikeNickname(segment: string): boolean {
  return NICKNAME_PATTERN.test(segment);
}
