// The report form: any signed-in person can report someone (and one of their notices) to the moderators.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { fileReport, REPORT_COMMENT_MAX_LENGTH, REPORT_REASONS, reportSubject } from '../../domain/reports.ts';
import type { ReportSubject } from '../../domain/reports.ts';
import { ValidationError } from '../../errors.ts';
import { queryParam, readForm } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { reportLimit } from '../middleware/action-limits.ts';
import { requireUser } from '../middleware/require-user.ts';
import { authorView } from '../presenters/profiles.ts';
import { noticeView } from '../presenters/notices.ts';

type ReportValues = { reason: string; comment: string; forward?: boolean };

function renderForm(res: Response, status: number, subject: ReportSubject, values: ReportValues, errors: Record<string, string> = {}) {
  res.status(status).render('report/new', {
    title: `Report ${authorView(subject.profile).handle}`,
    target: { ...authorView(subject.profile), id: subject.profile.id },
    // A report about someone on another server may be sent on to it.
    forwardHost: subject.profile.isLocal ? undefined : authorView(subject.profile).handle.split('@')[1],
    notice: subject.notice ? noticeView(subject.notice, undefined) : undefined,
    reasons: Object.entries(REPORT_REASONS),
    maxLength: REPORT_COMMENT_MAX_LENGTH,
    values,
    errors,
  });
}

/** GET and POST /main/report. */
export function reportRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/main/report', requireUser, async (req, res) => {
    const subject = await reportSubject(ctx, queryParam(req.query, 'profile') ?? '', queryParam(req.query, 'notice') ?? '');
    renderForm(res, 200, subject, { reason: '', comment: '' });
  });

  router.post('/main/report', requireUser, reportLimit(ctx), async (req, res) => {
    const { fields, invalid } = readForm(req.body, ['profile', 'notice', 'reason', 'comment', 'forward']);
    const values = { reason: fields.reason, comment: fields.comment, forward: fields.forward === 'yes' };
    const subject = await reportSubject(ctx, fields.profile, fields.notice);
    try {
      if (invalid) throw invalid;
      await fileReport(ctx, viewerOf(res), subject, values);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderForm(res, error.status, subject, values, error.fields);
    }
    res.status(200).render('report/sent', { title: 'Report sent', target: authorView(subject.profile) });
  });

  return router;
}
