// Which requests are ActivityPub's, decided without loading Fedify: the router's own test, kept
// where the lazily loaded router (protocol.ts) can ask it first.
import { isFederationPath } from './paths.ts';

const NICKNAME_PATH = /^\/([a-z0-9]{1,64})\/?$/;
const NOTICE_PATH = /^\/notice\/\d{1,18}$/;

/** Whether an Accept header asks for ActivityStreams JSON rather than a page. */
export function wantsActivityJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const type = part.trim().toLowerCase();
    return type.startsWith('application/activity+json') || (type.startsWith('application/ld+json') && type.includes('https://www.w3.org/ns/activitystreams'));
  });
}

/** The path Fedify answers a request on: a profile asked for as an actor becomes the actor's path; undefined for a request that is not ActivityPub's. */
export function federationPathOf(method: string, path: string, accept: string | undefined): string | undefined {
  const reading = method === 'GET' || method === 'HEAD';
  const wantsJson = reading && wantsActivityJson(accept);
  const nickname = reading ? NICKNAME_PATH.exec(path) : null;
  if (nickname && wantsJson) return `/users/${nickname[1]}`;
  if (isFederationPath(path) || (wantsJson && NOTICE_PATH.test(path))) return path;
  return undefined;
}

/** Whether the ActivityPub router answers this request (host-meta included). */
export function isActivityPubRequest(method: string, path: string, accept: string | undefined): boolean {
  return (path === '/.well-known/host-meta' && (method === 'GET' || method === 'HEAD')) || federationPathOf(method, path, accept) !== undefined;
}
