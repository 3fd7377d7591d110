// The pages of "Subscribe to someone on another server". GET /main/follow shows the form, or, with a
// handle, the person it names and a button to confirm (a step on their server for OMB-only people);
// POST /main/follow sends the request. Mounted behind the session, CSRF check and current user.
import express from 'express';
import type { Response, Router } from 'express';
import type { UserRecord } from '../domain/accounts.ts';
import type { FederationContext } from './context.ts';
import { findRemotePerson, RemotePersonError } from './remote-follow.ts';
import type { RemoteFollowFinder } from './remote-follow.ts';

const TITLE = 'Subscribe to someone on another server';
const MAX_INPUT = 500;

function field(source: unknown, name: string): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, MAX_INPUT) : '';
}

function showForm(res: Response, handle: string, error?: RemotePersonError): void {
  res.status(error?.status ?? 200).render('remote-follow/form', { title: TITLE, values: { handle }, error: error?.message });
}

/** GET and POST /main/follow, asking each protocol that can find people. */
export function remoteFollowPages(protocols: readonly { readonly name: string; readonly remoteFollow?: RemoteFollowFinder }[], ctx: FederationContext): Router {
  const router = express.Router();

  router.get('/main/follow', async (req, res) => {
    const viewer = res.locals.viewer as UserRecord | undefined;
    if (!viewer) return res.redirect(303, `/main/login?returnto=${encodeURIComponent(req.originalUrl)}`);
    const handle = field(req.query, 'handle');
    if (handle.trim() === '') return showForm(res, handle);
    try {
      const person = await findRemotePerson(protocols, ctx, viewer, handle);
      res.render('remote-follow/confirm', { title: `Subscribe to ${person.handle}?`, person, typed: handle });
    } catch (error) {
      if (!(error instanceof RemotePersonError)) throw error;
      showForm(res, handle, error);
    }
  });

  router.post('/main/follow', async (req, res) => {
    const viewer = res.locals.viewer as UserRecord | undefined;
    if (!viewer) return res.status(403).render('errors/403', { title: 'Sign in first', status: 403, message: 'Sign in first.' });
    const handle = field(req.body, 'handle');
    const protocol = field(req.body, 'protocol') || undefined;
    try {
      const person = await findRemotePerson(protocols, ctx, viewer, handle, protocol);
      if (person.action.kind === 'elsewhere') return res.redirect(303, person.action.url);
      const profileId = await person.action.send();
      res.redirect(303, `/remote/${profileId}`);
    } catch (error) {
      // Whatever the other server did wrong is told to the person, on the form, with a 4xx.
      if (!(error instanceof RemotePersonError)) throw error;
      showForm(res, handle, error);
    }
  });

  return router;
}
