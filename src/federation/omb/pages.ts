// The OMB 0.1 pages people see during a remote subscription (the authorization page, the remote
// subscribe form and its return address) and the XRDS advertisement on profile pages. Mounted
// behind the session, CSRF check and current user, before the web routes; anything else is next().
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { FederationContext } from '../context.ts';
import type { UserRecord } from '../../domain/accounts.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { siteName } from '../../domain/remote-origins.ts';
import { HttpError } from '../../errors.ts';
import { readForm } from '../../form-encoding.ts';
import { OMB_PATHS } from './constants.ts';
import { finishRemoteSubscription, forgetPendingOf, RemoteSubscribeError, startRemoteSubscription } from './consumer.ts';
import { xrdsUrl } from './identity.ts';
import { requestParams } from './params.ts';
import { isOwnCallback, onAuthorizationDecision, onAuthorizationRequest } from './provider.ts';
import type { AuthorizationRequest } from './provider.ts';
import { prefersXrds } from './routes.ts';

declare module 'express-session' {
  interface SessionData {
    /** Authorization requests the signed-in user is looking at, by request token. */
    ombAuthorizations?: Record<string, AuthorizationRequest>;
  }
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

function message(res: Response, status: number, title: string, text: string): void {
  res.status(status).render('omb/message', { title, text });
}

/** The OMB pages people use in a browser. */
export function ombPages(ctx: FederationContext): Router {
  const router = Router();
  const { config } = ctx;

  // The profile page advertises the XRDS three ways: header, meta tag (via the view), and content
  // negotiation (answered by the server routes, before the browser stack). The page itself finds
  // the person and then calls the advertiser: one lookup, and nothing advertised on a 404.
  router.get('/:nickname', (req: Request<{ nickname: string }>, res: Response, next: NextFunction) => {
    if (!looksLikeNickname(req.params.nickname)) return next();
    res.vary('Accept');
    if (prefersXrds(req)) return next(); // not one of ours: the server routes answer every local nickname
    const advertiseXrds = (nickname: string) => {
      const location = xrdsUrl(config, nickname);
      res.setHeader('X-XRDS-Location', location);
      res.locals.xrdsLocation = location;
    };
    res.locals.profileAdvertisers = [...(res.locals.profileAdvertisers ?? []), advertiseXrds];
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
      if (req.sessionID) await forgetPendingOf(ctx, req.sessionID); // a browser without a session has nothing pending
      return message(res, 200, 'Subscription not authorized', 'Your server says the subscription was not authorized, so nothing changed.');
    }
    try {
      const { listeneeNickname } = await finishRemoteSubscription(ctx, req.sessionID ?? '', params);
      res.redirect(303, `/${listeneeNickname}/subscribers`);
    } catch (error) {
      if (!(error instanceof RemoteSubscribeError)) throw error;
      if (error.remote) res.locals.upstreamFailure = error.remote;
      message(res, error.status, 'Subscription failed', error.message);
    }
  });

  return router;
}
