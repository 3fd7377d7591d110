// Reading OMB parameters from requests and checking them against the limits of reference §3.
import type { Request } from 'express';
import { HttpError } from '../../errors.ts';
import { hasControlCharacters, isHttpUrl, isRemoteUri } from '../../domain/text-rules.ts';
import { isInvalidText } from '../../form-encoding.ts';
import type { Params } from './oauth.ts';

/** A refusal sent to a peer as a short plain-text reason. */
export class OmbError extends HttpError {}

function addParam(params: Params, name: string, value: unknown): void {
  if (isInvalidText(value)) throw new OmbError(400, `Parameter ${name} is not valid UTF-8.`);
  if (typeof value !== 'string') throw new OmbError(400, `Parameter ${name} was sent more than once.`);
  if (Object.hasOwn(params, name)) throw new OmbError(400, `Parameter ${name} was sent more than once.`);
  if (value.includes('\u0000')) throw new OmbError(400, `Parameter ${name} contains a NUL character.`);
  params[name] = value;
}

/** Query, form-body and Authorization-header parameters merged; 400 when a name repeats. */
export function requestParams(req: Request): Params {
  const params: Params = {};
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) addParam(params, name, value);
  if (req.is('application/x-www-form-urlencoded') && typeof req.body === 'object' && req.body !== null) {
    for (const [name, value] of Object.entries(req.body as Record<string, unknown>)) addParam(params, name, value);
  }
  const header = req.get('authorization');
  if (header && /^OAuth\s/i.test(header)) {
    for (const match of header.slice(6).matchAll(/([A-Za-z0-9_.~-]+)\s*=\s*"([^"]*)"/g)) {
      const name = match[1]!;
      if (!name.startsWith('oauth_')) continue; // realm and anything else are not signed parameters
      // Percent-encoded, so printable ASCII (RFC 5849 §3.5.1): a raw byte above 0x7f would otherwise be
      // read as Latin-1. decodeURIComponent itself refuses escapes that are not UTF-8.
      if (!/^[\x21-\x7e]*$/.test(match[2]!)) throw new OmbError(400, `The Authorization header value of ${name} is not percent-encoded properly.`);
      let value: string;
      try {
        value = decodeURIComponent(match[2]!);
      } catch {
        throw new OmbError(400, `The Authorization header value of ${name} is not percent-encoded properly.`);
      }
      addParam(params, name, value);
    }
  }
  return params;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// The domain's rules for URLs and URIs from other servers, under the names the OMB code uses.
export { isHttpUrl, isRemoteUri as isOmbUri };

/** The value of a required parameter, or 400. */
export function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw new OmbError(400, `Missing parameter ${name}.`);
  return value;
}

/** Trims text to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  if (byteLength(text) <= max) return text;
  let result = '';
  for (const character of text) {
    if (byteLength(result + character) > max) break;
    result += character;
  }
  return result;
}

function characters(text: string): number {
  return [...text].length;
}

export type ProfileParams = {
  nickname?: string;
  profileUrl?: string;
  license?: string;
  fullname?: string;
  homepage?: string;
  bio?: string;
  location?: string;
  avatar?: string;
};

const LIMITS: [keyof ProfileParams, string, (v: string) => boolean, string][] = [
  ['nickname', 'nickname', (v) => /^[A-Za-z0-9]{1,64}$/.test(v), 'must be 1 to 64 letters and digits'],
  ['profileUrl', 'profile', isHttpUrl, 'must be an http(s) URL of at most 255 bytes'],
  ['license', 'license', isHttpUrl, 'must be an http(s) URL of at most 255 bytes'],
  ['fullname', 'fullname', (v) => characters(v) <= 255, 'must be at most 255 characters'],
  ['homepage', 'homepage', isHttpUrl, 'must be an http(s) URL of at most 255 bytes'],
  ['bio', 'bio', (v) => characters(v) <= 140, 'must be at most 140 characters'],
  ['location', 'location', (v) => characters(v) <= 255, 'must be at most 255 characters'],
  ['avatar', 'avatar', isHttpUrl, 'must be an http(s) URL of at most 255 bytes'],
];

/** The profile fields with this prefix that are present (empty ones too), checked; 400 on a bad one. */
export function profileParams(params: Params, prefix: 'omb_listenee' | 'omb_listener'): ProfileParams {
  const result: ProfileParams = {};
  for (const [key, suffix, valid, rule] of LIMITS) {
    const value = params[`${prefix}_${suffix}`];
    if (value === undefined) continue;
    if (value !== '' && !valid(value)) throw new OmbError(400, `${prefix}_${suffix} ${rule}.`);
    if (hasControlCharacters(value)) throw new OmbError(400, `${prefix}_${suffix} contains control characters.`);
    result[key] = value;
  }
  return result;
}
