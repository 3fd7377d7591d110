// The admin pages about other servers: blocked domains (admins), people on other servers
// (silence, suspend), and sending a report on to the reported person's server. Part of the /admin
// router, behind its staff check.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { blockDomain, DOMAIN_SEVERITIES, domainBlockList, unblockDomain } from '../../domain/domain-blocks.ts';
import type { PersonAction } from '../../domain/moderation.ts';
import { forwardReport } from '../../domain/report-forwarding.ts';
import { moderateRemotePerson, remoteHandle, remotePersonForModeration } from '../../domain/remote-moderation.ts';
import { HttpError, NotFoundError, ValidationError } from '../../errors.ts';
import { formFields, readForm } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireAdmin } from '../middleware/require-staff.ts';
import { utcText } from '../presenters/admin.ts';

const PERSON_ACTIONS: readonly string[] = ['silence', 'unsilence', 'suspend', 'unsuspend'];

type DomainValues = { host: string; severity: string; note: string };

/** /admin/domains, /admin/remote/:id and /admin/reports/:id/forward (mounted inside the /admin router). */
export function adminFederationRoutes(ctx: DomainContext): Router {
  const router = Router();

  const renderDomains = async (res: Response, status: number, values: DomainValues = { host: '', severity: 'suspend', note: '' }, errors: Record<string, string> = {}) => {
    const blocks = (await domainBlockList(ctx)).map((block) => ({ ...block, created: utcText(block.createdAt) }));
    res.status(status).render('admin/domains', { title: 'Blocked servers', blocks, severities: Object.entries(DOMAIN_SEVERITIES), values, errors });
  };

  router.get('/domains', requireAdmin, (_req, res) => renderDomains(res, 200));

  router.post('/domains', requireAdmin, async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['host', 'severity', 'note']);
    try {
      if (invalid) throw invalid;
      await blockDomain(ctx, viewerOf(res), fields);
    } catch (error) {
      if (error instanceof ValidationError) return renderDomains(res, error.status, fields, error.fields);
      if (error instanceof HttpError && error.status === 409) return renderDomains(res, 409, fields, { host: error.message });
      throw error;
    }
    res.redirect(303, '/admin/domains');
  });

  router.post('/domains/:host/unblock', requireAdmin, async (req, res) => {
    formFields(req.body, []);
    await unblockDomain(ctx, viewerOf(res), String(req.params.host));
    res.redirect(303, '/admin/domains');
  });

  const renderPerson = async (res: Response, status: number, rawId: string, errors: Record<string, string> = {}, note = '') => {
    const profile = await remotePersonForModeration(ctx, rawId);
    const state = profile.suspendedAt ? 'suspended' : profile.silencedAt ? 'silenced' : 'active';
    const person = { id: profile.id, handle: remoteHandle(profile), url: `/remote/${profile.id}`, silenced: profile.silencedAt !== null, suspended: profile.suspendedAt !== null, state };
    res.status(status).render('admin/remote-person', { title: `Moderate ${person.handle}`, person, errors, note });
  };

  router.get('/remote/:id', (req, res) => renderPerson(res, 200, String(req.params.id)));

  router.post('/remote/:id/:action', async (req, res) => {
    const action = String(req.params.action);
    if (!PERSON_ACTIONS.includes(action)) throw new NotFoundError('There is no such action.');
    const { fields, invalid } = readForm(req.body, ['note']);
    try {
      if (invalid) throw invalid;
      const person = await moderateRemotePerson(ctx, viewerOf(res), String(req.params.id), action as PersonAction, fields.note);
      res.redirect(303, `/admin/remote/${person.id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderPerson(res, error.status, String(req.params.id), error.fields, fields.note);
    }
  });

  router.post('/reports/:id/forward', async (req, res) => {
    formFields(req.body, []);
    const report = await forwardReport(ctx, viewerOf(res), String(req.params.id));
    res.redirect(303, `/admin/reports/${report.id}`);
  });

  return router;
}
