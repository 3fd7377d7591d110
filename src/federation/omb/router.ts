// The OMB 0.1 routes: discovery (XRDS), the provider's and consumer's endpoints, and the pages
// people see during a remote subscription. Mounted before the web routes; anything else is next().
import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { findLocalProfile } from '../../domain/lookups.ts';
import type { UserRecord } from '../../domain/accounts.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { siteName } from '../../domain/remote-origins.ts';
import { HttpError } from '../../errors.ts';
import { readForm } from '../../form-encoding.ts';
import { OMB_PATHS, XRDS_MEDIA_TYPE } from './constants.ts';
import { finishRemoteSubscription, forgetPendingOf, RemoteSubscribeError, startRemoteSubscription } from './consumer.ts';
import { localServices, xrdsUrl } from './identity.ts';
import { onPostNotice, onUpdateProfile } from './inbound.ts';
import { requestParams } from './params.ts';
import { isOwnCallback, onAccessToken, onAuthorizationDecision, onAuthorizationRequest, onRequestToken } from './provider.ts';
import type { AuthorizationRequest } from './provider.ts';
import { toXrds } from './xrds.ts';
import type { Params } from './oauth.ts';

declare module 'express-session' {
  interface SessionData {
    /** Authorization requests the signed-in user is looking at, by request token. */
    ombAuthorizations?: Record<string, AuthorizationRequest>;
  }
}

/** Request tokens one address may ask for in 15 minutes. */
export const REQUEST_TOKENS_PER_ADDRESS = 300;

type ProtocolHandler = (ctx: DomainContext, req: Request, params: Params) => Promise<string>;

// Server-to-server endpoints answer in short plain text, errors included.
function protocolEndpoint(ctx: DomainContext, handler: ProtocolHandler): RequestHandler {
  return async (req, res) => {
    try {
      const body = await handler(ctx, req, requestParams(req));
      res.status(200).type('text/plain').send(body); // exact bytes: no trailing newline
    } catch (error) {
      if (!(error instanceof HttpError) || error.status >= 500) throw error;
      res.status(error.status).type('text/plain').send(error.message);
    }
  };
}

// Lets the page's forms redirect to another site (Chromium applies form-action to redirects).
function allowFormTargets(res: Response, sources: string): void {
  const policy = res.getHeader('content-security-policy');
  if (typeof policy === 'string') res.setHeader('content-security-policy', policy.replace("form-action 'self'", `form-action 'self' ${sources}`));
}

// Lets the page show one picture from another site (the listenee's avatar, not yet copied here).
function allowImageFrom(res: Response, url: string | undefined): void {
  const policy = res.getHeader('content-security-policy');
  if (typeof policy !== 'string' || !url || !/^https?:\/\//i.test(url)) return;
  res.setHeader('content-security-policy', policy.replace(/img-src ([^;]*)/, (_all, sources: string) => `img-src ${sources} ${new URL(url).origin}`));
}

function sendXrds(ctx: DomainContext, res: Response, userId: number): void {
  res.status(200).type(XRDS_MEDIA_TYPE).send(toXrds(localServices(ctx.config, userId)));
}

function prefersXrds(req: Request): boolean {
  return req.accepts(['text/html', XRDS_MEDIA_TYPE]) === XRDS_MEDIA_TYPE;
}

function message(res: Response, status: number, title: string, text: string): void {
  res.status(status).render('omb/message', { title, text });
}

/** Every OMB route. */
export function ombRouter(ctx: DomainContext): Router {
  const router = Router();
  const { config } = ctx;

  // Anyone may ask for a request token (consumer keys are self-asserted): limit how often per address.
  const requestTokenLimit = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: REQUEST_TOKENS_PER_ADDRESS,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => void res.status(429).type('text/plain').send('Too many request tokens from this address; try again later.'),
  });
  router.post(OMB_PATHS.requestToken, requestTokenLimit, protocolEndpoint(ctx, onRequestToken));
  router.post(OMB_PATHS.accessToken, protocolEndpoint(ctx, onAccessToken));
  router.post(OMB_PATHS.postNotice, protocolEndpoint(ctx, onPostNotice));
  router.post(OMB_PATHS.updateProfile, protocolEndpoint(ctx, onUpdateProfile));

  // Identifier URIs (/user/:id) are answered by the web layer's permanent redirect.
  router.get('/:nickname/xrds', async (req, res, next) => {
    const profile = looksLikeNickname(req.params.nickname) ? await findLocalProfile(ctx.db, req.params.nickname) : undefined;
    if (!profile) return next();
    sendXrds(ctx, res, profile.id);
  });

  // The profile page advertises the XRDS three ways: header, meta tag (via the view), content negotiation.
  router.get('/:nickname', async (req: Request<{ nickname: string }>, res: Response, next: NextFunction) => {
    if (!looksLikeNickname(req.params.nickname)) return next();
    const profile = await findLocalProfile(ctx.db, req.params.nickname);
    res.vary('Accept');
    if (!profile) return next();
    const location = xrdsUrl(config, profile.nickname);
    res.setHeader('X-XRDS-Location', location);
    res.locals.xrdsLocation = location;
    if (prefersXrds(req)) return sendXrds(ctx, res, profile.id);
    next();
  });

  router.get(OMB_PATHS.authorize, async (req, res) => {
    const viewer = res.locals.viewer;
    if (!viewer) return res.redirect(303, `/main/login?returnto=${encodeURIComponent(req.originalUrl)}`);
    const request = await onAuthorizationRequest(ctx, viewer, requestParams(req));
    if (request.callback !== undefined && isOwnCallback(config, request.callback)) throw new HttpError(400, 'The callback points back at this site.');
    // Keep the few most recent requests this person is looking at; older tabs must start again.
    const kept = Object.entries(req.session.ombAuthorizations ?? {}).filter(([token]) => token !== request.token).slice(-4);
    req.session.ombAuthorizations = { ...Object.fromEntries(kept), [request.token]: request };
    if (request.callback) allowFormTargets(res, new URL(request.callback).origin);
    allowImageFrom(res, request.listenee.avatar);
    // The handle names the site the person lives on: the one their server proved it speaks for.
    const handle = `${request.listenee.nickname}@${siteName(request.listenee.profileUrl)}`;
    res.render('omb/authorize', { title: `Subscribe to ${handle}?`, request, handle });
  });

  router.post(OMB_PATHS.authorize, async (req, res) => {
    const viewer = res.locals.viewer as UserRecord | undefined;
    if (!viewer) throw new HttpError(403, 'Sign in first.');
    const { fields, invalid } = readForm(req.body, ['oauth_token', 'decision']);
    if (invalid) throw invalid;
    const { oauth_token: token, decision } = fields;
    const request = req.session.ombAuthorizations?.[token];
    if (!request) throw new HttpError(400, 'This subscription request is not waiting for your answer any more. Start again from the other site.');
    if (decision !== 'accept' && decision !== 'reject') throw new HttpError(400, 'Choose Accept or Reject.');
    const next = await onAuthorizationDecision(ctx, viewer, request, decision === 'accept');
    const remaining = { ...req.session.ombAuthorizations };
    delete remaining[token];
    req.session.ombAuthorizations = remaining;
    if (next) return res.redirect(303, next);
    const accepted = decision === 'accept';
    message(res, 200, accepted ? 'Subscription authorized' : 'Subscription rejected', accepted ? `You authorized the subscription. Request token: ${token}` : 'You rejected the subscription.');
  });

  router.get('/main/remote', (req, res) => {
    if (res.locals.viewer) return message(res, 200, 'You are logged in here', 'You can use the local subscription: open the person’s profile and choose Subscribe.');
    const { fields, invalid } = readForm(req.query, ['nickname', 'profile_url']);
    allowFormTargets(res, 'http: https:');
    res.status(invalid ? 400 : 200).render('omb/remote-subscribe', { title: 'Subscribe from another server', values: { nickname: fields.nickname, profileUrl: fields.profile_url }, error: invalid?.message });
  });

  router.post('/main/remote', async (req, res) => {
    if (res.locals.viewer) return message(res, 400, 'You are logged in here', 'You can use the local subscription: open the person’s profile and choose Subscribe.');
    const { fields, invalid } = readForm(req.body, ['nickname', 'profile_url']);
    const { nickname, profile_url: profileUrlValue } = fields;
    try {
      if (invalid) throw new RemoteSubscribeError(400, invalid.message);
      const location = await startRemoteSubscription(ctx, req.sessionID, nickname, profileUrlValue);
      res.redirect(303, location);
    } catch (error) {
      if (!(error instanceof RemoteSubscribeError)) throw error;
      if (error.remote) res.locals.upstreamFailure = error.remote; // logged at warn with the access line
      allowFormTargets(res, 'http: https:');
      res.status(error.status).render('omb/remote-subscribe', { title: 'Subscribe from another server', values: { nickname, profileUrl: profileUrlValue }, error: error.message });
    }
  });

  router.get(OMB_PATHS.finishSubscribe, async (req, res) => {
    const params = requestParams(req);
    if (!params.oauth_token) {
      await forgetPendingOf(ctx, req.sessionID);
      return message(res, 200, 'Subscription not authorized', 'Your server says the subscription was not authorized, so nothing changed.');
    }
    try {
      const { listeneeNickname } = await finishRemoteSubscription(ctx, req.sessionID, params);
      res.redirect(303, `/${listeneeNickname}/subscribers`);
    } catch (error) {
      if (!(error instanceof RemoteSubscribeError)) throw error;
      if (error.remote) res.locals.upstreamFailure = error.remote;
      message(res, error.status, 'Subscription failed', error.message);
    }
  });

  return router;
}
