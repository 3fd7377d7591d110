// The moderation pages under /admin: reports, registrations, people, notices, invites and the
// audit log. Mounted at /admin; the first two handlers let only admins and moderators through.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { approveSignup, auditLog, moderatePerson, moderatorDeleteNotice, noticeForModeration, personForModeration, registrations, rejectSignup } from '../../domain/moderation.ts';
import type { PersonAction } from '../../domain/moderation.ts';
import { CLOSE_ACTIONS, closeReport, getReport, reportList } from '../../domain/reports.ts';
import { createInvite, inviteList } from '../../domain/invites.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { formFields, queryParam, readForm } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';
import { requireAdmin, requireStaff } from '../middleware/require-staff.ts';
import { cursorFrom } from '../paging.ts';
import { noticeView } from '../presenters/notices.ts';
import { inviteView, logEntryView, registrantView, reportView } from '../presenters/admin.ts';
import { adminFederationRoutes } from './admin-federation.ts';

const PAGE = 50;
const PERSON_ACTIONS: readonly string[] = ['silence', 'unsilence', 'suspend', 'unsuspend'];

// One extra row tells whether there is an older page.
function paged<T extends { id: number }>(rows: T[], path: string, query: Record<string, string> = {}) {
  const items = rows.slice(0, PAGE);
  const last = items[items.length - 1];
  const olderUrl = rows.length > PAGE && last ? `${path}?${new URLSearchParams({ ...query, before: String(last.id) }).toString()}` : undefined;
  return { items, olderUrl };
}

/** The /admin router (mount it at /admin). */
export function adminRoutes(ctx: DomainContext): Router {
  const router = Router();
  router.use(requireUser, requireStaff);

  const renderReport = async (res: Response, status: number, rawId: string, errors: Record<string, string> = {}, values = { action: '', note: '' }) => {
    const report = reportView(await getReport(ctx, rawId));
    res.status(status).render('admin/report', { title: `Report #${report.id}`, report, actions: Object.entries(CLOSE_ACTIONS), errors, values });
  };

  router.get('/', async (_req, res) => {
    const [reports, people] = await Promise.all([reportList(ctx, { all: false, before: undefined, limit: 10 }), registrations(ctx, undefined, 10)]);
    res.render('admin/index', { title: 'Admin', reports: reports.map(reportView), recent: people.recent.map(registrantView), pendingCount: people.pending.length });
  });

  router.get('/reports', async (req, res) => {
    const all = queryParam(req.query, 'all') === '1';
    const rows = await reportList(ctx, { all, before: cursorFrom(req.query), limit: PAGE + 1 });
    const { items, olderUrl } = paged(rows, '/admin/reports', all ? { all: '1' } : {});
    res.render('admin/reports', { title: all ? 'All reports' : 'Open reports', all, reports: items.map(reportView), olderUrl });
  });

  router.get('/reports/:id', async (req, res) => renderReport(res, 200, String(req.params.id)));

  router.post('/reports/:id/close', async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['action', 'note']);
    try {
      if (invalid) throw invalid;
      await closeReport(ctx, viewerOf(res), String(req.params.id), fields);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderReport(res, error.status, String(req.params.id), error.fields, fields);
    }
    res.redirect(303, '/admin/reports');
  });

  router.get('/registrations', async (req, res) => {
    const { recent, pending } = await registrations(ctx, cursorFrom(req.query), PAGE + 1);
    const { items, olderUrl } = paged(recent, '/admin/registrations');
    res.render('admin/registrations', { title: 'Registrations', recent: items.map(registrantView), pending: pending.map(registrantView), olderUrl, mode: ctx.config.registration });
  });

  router.post('/registrations/:nickname/approve', requireAdmin, async (req, res) => {
    formFields(req.body, []);
    await approveSignup(ctx, viewerOf(res), String(req.params.nickname));
    res.redirect(303, '/admin/registrations');
  });

  router.post('/registrations/:nickname/reject', requireAdmin, async (req, res) => {
    const { note } = formFields(req.body, ['note']);
    await rejectSignup(ctx, viewerOf(res), String(req.params.nickname), note);
    res.redirect(303, '/admin/registrations');
  });

  const renderPerson = async (res: Response, status: number, nickname: string, errors: Record<string, string> = {}, note = '') => {
    const person = registrantView(await personForModeration(ctx, nickname));
    res.status(status).render('admin/person', { title: `Moderate ${person.nickname}`, person, errors, note });
  };

  router.get('/people/:nickname', async (req, res) => renderPerson(res, 200, String(req.params.nickname)));

  router.post('/people/:nickname/:action', async (req, res) => {
    const action = String(req.params.action);
    if (!PERSON_ACTIONS.includes(action)) throw new NotFoundError('There is no such action.');
    const { fields, invalid } = readForm(req.body, ['note']);
    try {
      if (invalid) throw invalid;
      const person = await moderatePerson(ctx, viewerOf(res), String(req.params.nickname), action as PersonAction, fields.note);
      res.redirect(303, `/admin/people/${encodeURIComponent(person.nickname)}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderPerson(res, error.status, String(req.params.nickname), error.fields, fields.note);
    }
  });

  // Without JavaScript a button cannot ask "are you sure?", so this page does.
  router.get('/notices/:id/delete', async (req, res) => {
    const notice = noticeView(await noticeForModeration(ctx, String(req.params.id)), undefined);
    res.render('admin/notice-delete', { title: 'Delete notice', notice, errors: {}, note: '' });
  });

  router.post('/notices/:id/delete', async (req, res) => {
    const { note } = formFields(req.body, ['note']);
    await moderatorDeleteNotice(ctx, viewerOf(res), String(req.params.id), note);
    res.redirect(303, '/admin/reports');
  });

  router.get('/invites', requireAdmin, async (req, res) => {
    const rows = await inviteList(ctx, viewerOf(res), { mine: false, before: cursorFrom(req.query), limit: PAGE + 1 });
    const { items, olderUrl } = paged(rows, '/admin/invites');
    res.render('invites/list', { title: 'Invites', action: '/admin/invites', invites: items.map((i) => inviteView(ctx.config.publicUrl, i)), olderUrl, mode: ctx.config.registration, admin: true });
  });

  router.post('/invites', requireAdmin, async (req, res) => {
    formFields(req.body, []);
    await createInvite(ctx, viewerOf(res));
    res.redirect(303, '/admin/invites');
  });

  router.use(adminFederationRoutes(ctx)); // other servers: blocked domains, remote people, forwarding reports

  router.get('/log', requireAdmin, async (req, res) => {
    const rows = await auditLog(ctx, cursorFrom(req.query), PAGE + 1);
    const { items, olderUrl } = paged(rows, '/admin/log');
    res.render('admin/log', { title: 'Moderation log', entries: items.map(logEntryView), olderUrl });
  });

  return router;
}
