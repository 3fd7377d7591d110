// Checking the OAuth part of a signed OMB request: HMAC-SHA1 only, fresh timestamp, unused nonce.
// Nothing is written until the signature is known to be good (the nonce is stored by the caller,
// in the transaction that acts on the request).
import type { Request } from 'express';
import type { Db } from '../../domain/context.ts';
import { insertNonce, nonceSeen } from '../../db/omb-tokens.ts';
import type { Config } from '../../config.ts';
import { signatureMatches } from './oauth.ts';
import type { Params } from './oauth.ts';
import { OmbError } from './params.ts';

/** Seconds a timestamp may differ from our clock. */
export const TIMESTAMP_WINDOW_SECONDS = 300;

export type OAuthFields = { consumerKey: string; token: string | undefined; nonce: string; timestamp: number };

/** The OAuth fields of a request, checked for shape and freshness; 401 otherwise. */
export function oauthFields(params: Params, options: { requireToken: boolean; now?: number }): OAuthFields {
  const method = params.oauth_signature_method;
  if (method === undefined) throw new OmbError(401, 'oauth_problem=parameter_absent: oauth_signature_method');
  if (method !== 'HMAC-SHA1') throw new OmbError(401, 'oauth_problem=signature_method_rejected: only HMAC-SHA1 is accepted');
  if (params.oauth_version !== undefined && params.oauth_version !== '1.0') throw new OmbError(401, 'oauth_problem=version_rejected');
  for (const name of ['oauth_consumer_key', 'oauth_signature', 'oauth_nonce', 'oauth_timestamp']) {
    if (!params[name]) throw new OmbError(401, `oauth_problem=parameter_absent: ${name}`);
  }
  if (options.requireToken && !params.oauth_token) throw new OmbError(401, 'oauth_problem=parameter_absent: oauth_token');
  const consumerKey = params.oauth_consumer_key!;
  const nonce = params.oauth_nonce!;
  if (consumerKey.length > 255 || nonce.length > 64) throw new OmbError(401, 'oauth_problem=parameter_rejected');
  if (!/^\d{1,12}$/.test(params.oauth_timestamp!)) throw new OmbError(401, 'oauth_problem=timestamp_refused: not a timestamp');
  const timestamp = Number(params.oauth_timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS) throw new OmbError(401, 'oauth_problem=timestamp_refused: outside the 300 second window');
  return { consumerKey, token: params.oauth_token, nonce, timestamp };
}

/** The URL the signature must cover: our configured public origin and the path requested, never Host. */
export function signedBaseUrl(config: Config, req: Request): string {
  return `${config.publicUrl}${new URL(req.originalUrl, 'http://unused.invalid').pathname}`;
}

/** 401 unless the signature is right for this token secret. */
export function verifySignature(config: Config, req: Request, params: Params, tokenSecret: string): void {
  if (!signatureMatches(req.method, signedBaseUrl(config, req), params, tokenSecret)) throw new OmbError(401, 'oauth_problem=signature_invalid');
}

/** 401 when the nonce was used before; call it after verifySignature, so that only a signed request learns this. */
export function refuseUsedNonce(used: boolean): void {
  if (used) throw new OmbError(401, 'oauth_problem=nonce_used');
}

/** 401 unless the signature is right for this token secret and the nonce is unused (checked, not stored). */
export async function checkSignature(db: Db, config: Config, req: Request, params: Params, fields: OAuthFields, tokenSecret: string): Promise<void> {
  verifySignature(config, req, params, tokenSecret);
  refuseUsedNonce(await nonceSeen(db, fields.consumerKey, fields.nonce));
}

/** Stores the nonce of a verified request; 401 when a concurrent request used it first. */
export async function useNonce(trx: Db, fields: OAuthFields): Promise<void> {
  if (!(await insertNonce(trx, fields.consumerKey, fields.nonce, fields.timestamp))) throw new OmbError(401, 'oauth_problem=nonce_used');
}
