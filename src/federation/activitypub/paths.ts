// Where the ActivityPub resources live. Every id is built by Fedify from PUBLIC_URL (its origin
// setting), never from the Host header of a request.

/** The identifier of the site's own actor (an Application); "ostrakon" is a reserved nickname. */
export const INSTANCE_IDENTIFIER = 'ostrakon';

export const ACTOR_PATH = '/users/{identifier}';
export const INBOX_PATH = '/users/{identifier}/inbox';
export const SHARED_INBOX_PATH = '/inbox';
export const OUTBOX_PATH = '/users/{identifier}/outbox';
export const FOLLOWERS_PATH = '/users/{identifier}/followers';
export const FOLLOWING_PATH = '/users/{identifier}/following';
export const NODEINFO_PATH = '/nodeinfo/2.1';
/** A local notice's permalink, which is also its Note's id (served to those who ask for JSON). */
export const NOTE_PATH = '/notice/{id}';

/** First path segments (and exact paths) that Fedify answers; everything else passes by untouched. */
export function isFederationPath(path: string): boolean {
  return path === '/inbox' || path.startsWith('/users/') || path.startsWith('/.well-known/webfinger') || path === '/.well-known/nodeinfo' || path === NODEINFO_PATH;
}
