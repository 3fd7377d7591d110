// Builds the Express application from its dependencies; never listens (server.ts and tests do).
import path from 'node:path';
import express, { Router } from 'express';
import type { Express } from 'express';
import type { Store } from 'express-session';
import type { Logger } from 'pino';
import type { FederationContext } from './federation/context.ts';
import './web/locals.ts';
import { templateEngine } from './web/templates.ts';
import { parseFormStrict } from './form-encoding.ts';
import { csrfProtection } from './web/middleware/csrf.ts';
import { accessLog } from './web/middleware/access-log.ts';
import { securityHeaders } from './web/middleware/security-headers.ts';
import { formBody } from './form-body.ts';
import { errorHandler, notFound, plainTextErrorHandler } from './web/middleware/errors.ts';
import { staticFiles } from './web/middleware/static-files.ts';
import { currentUser, sessionMiddleware } from './web/middleware/session.ts';
import { DEFAULT_LOGIN_LIMITS, DEFAULT_RECOVERY_LIMITS } from './web/middleware/throttle.ts';
import type { LoginLimits, RecoveryLimits } from './web/middleware/throttle.ts';
import { authRoutes } from './web/routes/auth.ts';
import { noticeRoutes } from './web/routes/notices.ts';
import { noticeActionRoutes } from './web/routes/notice-actions.ts';
import { profileRoutes } from './web/routes/profiles.ts';
import { settingsRoutes } from './web/routes/settings.ts';
import { emailSettingsRoutes } from './web/routes/email-settings.ts';
import { imSettingsRoutes } from './web/routes/im-settings.ts';
import { passwordRecoveryRoutes } from './web/routes/password-recovery.ts';
import { profileSettingsRoutes } from './web/routes/profile-settings.ts';
import { avatarSettingsRoutes } from './web/routes/avatar-settings.ts';
import { avatarRoutes } from './web/routes/avatars.ts';
import { avatarUpload } from './web/middleware/avatar-upload.ts';
import { pictureUpload } from './web/middleware/picture-upload.ts';
import { attachmentRoutes } from './web/routes/attachments.ts';
import { subscriptionRoutes } from './web/routes/subscriptions.ts';
import { timelineRoutes } from './web/routes/timelines.ts';
import { remoteProfileRoutes } from './web/routes/remote-profiles.ts';
import { healthRoutes } from './web/routes/health.ts';
import { feedRoutes } from './web/routes/feeds.ts';
import { searchRoutes } from './web/routes/search.ts';
import { tagRoutes } from './web/routes/tags.ts';
import { messageReachOf, pageRouters, serverRouters } from './federation/core.ts';
import type { FederationProtocol } from './federation/core.ts';
import { isStaff } from './domain/moderation.ts';
import { mayInvite } from './domain/invites.ts';
import { adminRoutes } from './web/routes/admin.ts';
import { reportRoutes } from './web/routes/reports.ts';
import { inviteRoutes } from './web/routes/invites.ts';
import { blockRoutes } from './web/routes/blocks.ts';
import { accountDeletionRoutes } from './web/routes/account-deletion.ts';
import { messageRoutes } from './web/routes/messages.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

const VIEWS = path.join(ROOT, 'views');

export type AppDependencies = {
  ctx: FederationContext;
  /** The federation protocols whose routes are mounted (src/federation/protocols.ts). */
  protocols: readonly FederationProtocol[];
  sessionStore: Store;
  logger: Logger;
  loginLimits?: LoginLimits;
  recoveryLimits?: RecoveryLimits;
};

/** The whole web application: middleware, routes and error pages. */
export function createApp(deps: AppDependencies): Express {
  const { ctx, logger } = deps;
  const { config } = ctx;
  const https = config.publicUrl.startsWith('https:');
  const app = express();

  app.disable('x-powered-by');
  app.set('etag', false); // pages change with every notice; hashing each body buys nothing
  app.set('trust proxy', config.trustProxy);
  app.set('views', VIEWS);
  app.set('view engine', 'ejs');
  // Query strings are read as strictly as form bodies: a value that is not UTF-8 is no string.
  app.set('query parser', (query: string | null) => parseFormStrict(query ?? ''));
  app.engine('ejs', templateEngine(VIEWS)); // compiled once, without `with` (src/web/templates.ts)
  app.set('view cache', true);
  // Defaults for pages rendered before the per-request locals are set (early errors).
  Object.assign(app.locals, { siteName: config.siteName, me: undefined, currentPath: '/', registrationOpen: config.registration === 'open' || config.registration === 'approval', registrationMode: config.registration, csrfToken: () => '' });

  app.use(healthRoutes(ctx)); // before logging and sessions: probes every few seconds need neither
  app.use(accessLog(logger));
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          // Remote people's avatars are shown from our own copies; only the OMB authorization page
          // widens this, for the one avatar it shows before any copy exists.
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      strictTransportSecurity: https,
    }),
  );
  app.use(staticFiles(path.join(ROOT, 'public')));

  // Server-to-server routes of each protocol (OMB endpoints and XRDS; later ActivityPub inboxes,
  // WebFinger, NodeInfo): before the browser stack, with their own body parsing; their errors
  // are short plain text. Requests they do not answer go on to the browser stack.
  const federation = express.Router();
  for (const router of serverRouters(deps.protocols, ctx)) federation.use(router);
  federation.use(plainTextErrorHandler(logger));
  app.use(federation);

  // The browser stack: form parsing, session, upload, CSRF check, current user.
  app.use(...formBody()); // strict UTF-8: bad bytes stay visible to the routes that refuse them
  app.use(sessionMiddleware(config, deps.sessionStore));
  app.use(avatarUpload(config)); // multipart: its _csrf field must be read before the check below
  app.use(pictureUpload(config)); // the post form, multipart for its pictures: likewise
  app.use(...csrfProtection());
  app.use(currentUser(ctx));
  app.use((req, res, next) => {
    const viewer = res.locals.viewer;
    res.locals.me = viewer
      ? { nickname: viewer.nickname, isAdmin: viewer.isAdmin, isStaff: isStaff(viewer), mayInvite: config.registration === 'invite' && mayInvite(ctx, viewer) }
      : undefined;
    res.locals.currentPath = req.path;
    res.locals.registrationOpen = config.registration === 'open' || config.registration === 'approval';
    next();
  });

  // Before the web routes: protocols' pages (OMB: the XRDS advertisement on profile pages, its forms).
  for (const router of pageRouters(deps.protocols, ctx)) app.use(router);
  // The page routes share a few routers rather than one each: Express passes a request through every
  // router mounted before the one that answers it, and a router none of whose routes matches hands
  // the request on through setImmediate; a profile page (answered last) went through two dozen.
  // Routers that check route parameters (router.param) keep their own, so their checks stay theirs.
  const pages = Router();
  timelineRoutes(ctx, pages);
  const loginLimits = deps.loginLimits ?? DEFAULT_LOGIN_LIMITS;
  authRoutes(ctx, loginLimits, pages);
  passwordRecoveryRoutes(ctx, deps.recoveryLimits ?? DEFAULT_RECOVERY_LIMITS, pages);
  settingsRoutes(ctx, loginLimits, pages);
  emailSettingsRoutes(ctx, pages);
  imSettingsRoutes(ctx, pages); // /settings/im and the chat bot's confirmation links
  profileSettingsRoutes(ctx, pages);
  avatarSettingsRoutes(ctx, pages);
  avatarRoutes(ctx, pages);
  attachmentRoutes(ctx, pages); // /attachment/:id pages and /attachments/<file> pictures
  noticeRoutes(ctx, pages);
  noticeActionRoutes(ctx, pages); // favorite and repeat buttons, /favorited
  subscriptionRoutes(ctx, pages);
  reportRoutes(ctx, pages);
  blockRoutes(ctx, pages);
  accountDeletionRoutes(ctx, loginLimits, pages);
  inviteRoutes(ctx, pages);
  app.use(pages);
  app.use('/admin', adminRoutes(ctx)); // admins and moderators only: every route checks the role first
  const messageReach = messageReachOf(deps.protocols); // which remote people a direct message can reach
  const morePages = Router();
  remoteProfileRoutes(ctx, messageReach, morePages);
  searchRoutes(ctx, morePages);
  tagRoutes(ctx, morePages);
  app.use(morePages);
  app.use(messageRoutes(ctx, messageReach)); // before the profiles: /:nickname/inbox and /outbox
  app.use(feedRoutes(ctx)); // before the profiles: /rss, /atom and /:nickname/rss would look like nicknames' pages
  app.use(profileRoutes(ctx)); // last: /:nickname matches any first path segment

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
