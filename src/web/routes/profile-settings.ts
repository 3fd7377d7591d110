// /settings/profile: a person's full name, bio, location and homepage.
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { BIO_MAX_CHARACTERS, saveProfile } from '../../domain/profile-settings.ts';
import type { ProfileInput } from '../../domain/profile-settings.ts';
import { ValidationError } from '../../errors.ts';
import { readForm } from '../forms.ts';
import { viewerOf } from '../locals.ts';
import { requireUser } from '../middleware/require-user.ts';

const FIELDS = ['fullname', 'bio', 'location', 'homepage'] as const;

function render(res: Response, status: number, values: ProfileInput, errors: Record<string, string> = {}, saved = false) {
  res.status(status).render('settings/profile', { title: 'Profile settings', values, errors, saved, bioMax: BIO_MAX_CHARACTERS });
}

/** GET and POST /settings/profile. */
export function profileSettingsRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/settings/profile', requireUser, (req, res) => {
    const user = viewerOf(res);
    const values = { fullname: user.fullname ?? '', bio: user.bio ?? '', location: user.location ?? '', homepage: user.homepage ?? '' };
    render(res, 200, values, {}, req.query.saved === '1');
  });

  router.post('/settings/profile', requireUser, async (req, res) => {
    const { fields: values, invalid } = readForm(req.body, FIELDS);
    try {
      if (invalid) throw invalid;
      await saveProfile(ctx, viewerOf(res).id, values);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return render(res, error.status, values, error.fields);
    }
    res.redirect(303, '/settings/profile?saved=1');
  });

  return router;
}
