// The OMB 0.1 server-to-server routes: the signed token and push endpoints and the XRDS documents.
// Mounted before the browser stack (no session, CSRF or form parsing of its own): these parse
// their own form bodies and answer in short plain text; anything else is next().
import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { findLocalProfile } from '../../domain/lookups.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { HttpError } from '../../errors.ts';
import { formBody } from '../../form-body.ts';
import type { FederationContext } from '../context.ts';
import { OMB_PATHS, XRDS_MEDIA_TYPE } from './constants.ts';
import { localServices, xrdsUrl } from './identity.ts';
import { onPostNotice, onUpdateProfile } from './inbound.ts';
import type { Params } from './oauth.ts';
import { requestParams } from './params.ts';
import { onAccessToken, onRequestToken } from './provider.ts';
import { toXrds } from './xrds.ts';
import { blockedServerRefusal } from './server-blocks.ts';

/** Request tokens one address may ask for in 15 minutes. */
export const REQUEST_TOKENS_PER_ADDRESS = 300;

type ProtocolHandler = (ctx: DomainContext, req: Request, params: Params) => Promise<string>;

// Server-to-server endpoints answer in short plain text, errors included.
function protocolEndpoint(ctx: DomainContext, handler: ProtocolHandler): RequestHandler {
  return async (req, res) => {
    try {
      const params = requestParams(req);
      const refusal = await blockedServerRefusal(ctx, params);
      if (refusal) throw new HttpError(403, refusal);
      const body = await handler(ctx, req, params);
      res.status(200).type('text/plain').send(body); // exact bytes: no trailing newline
    } catch (error) {
      if (!(error instanceof HttpError) || error.status >= 500) throw error;
      res.status(error.status).type('text/plain').send(error.message);
    }
  };
}

function sendXrds(ctx: DomainContext, res: Response, userId: number): void {
  res.status(200).type(XRDS_MEDIA_TYPE).send(toXrds(localServices(ctx.config, userId)));
}

/** Whether the request asks for the XRDS document rather than the profile page. */
export function prefersXrds(req: Request): boolean {
  return req.accepts(['text/html', XRDS_MEDIA_TYPE]) === XRDS_MEDIA_TYPE;
}

/** The OMB routes other servers call. */
export function ombRoutes(ctx: FederationContext): Router {
  const router = Router();
  // The same strict UTF-8 parsing and limits the browser forms have: OMB pushes are a dozen short fields.
  const form = formBody();

  // Anyone may ask for a request token (consumer keys are self-asserted): limit how often per address.
  const requestTokenLimit = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: REQUEST_TOKENS_PER_ADDRESS,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => void res.status(429).type('text/plain').send('Too many request tokens from this address; try again later.'),
  });
  router.post(OMB_PATHS.requestToken, requestTokenLimit, ...form, protocolEndpoint(ctx, onRequestToken));
  router.post(OMB_PATHS.accessToken, ...form, protocolEndpoint(ctx, onAccessToken));
  router.post(OMB_PATHS.postNotice, ...form, protocolEndpoint(ctx, onPostNotice));
  router.post(OMB_PATHS.updateProfile, ...form, protocolEndpoint(ctx, onUpdateProfile));

  // Identifier URIs (/user/:id) are answered by the web layer's permanent redirect.
  router.get('/:nickname/xrds', async (req, res, next) => {
    const profile = looksLikeNickname(req.params.nickname) ? await findLocalProfile(ctx.db, req.params.nickname) : undefined;
    if (!profile) return next();
    sendXrds(ctx, res, profile.id);
  });

  // Content negotiation on the profile page: an XRDS client gets the document here; a browser
  // goes on to the page (where the pages router advertises the document).
  router.get('/:nickname', async (req: Request<{ nickname: string }>, res: Response, next: NextFunction) => {
    if (!prefersXrds(req) || !looksLikeNickname(req.params.nickname)) return next();
    const profile = await findLocalProfile(ctx.db, req.params.nickname);
    if (!profile) return next();
    res.vary('Accept');
    res.setHeader('X-XRDS-Location', xrdsUrl(ctx.config, profile.nickname));
    sendXrds(ctx, res, profile.id);
  });

  return router;
}
