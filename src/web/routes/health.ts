// Probes for orchestrators: /healthz (the process answers) and /readyz (it can serve pages).
import { Router } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { checkReadiness } from '../../domain/health.ts';

/** GET /healthz and /readyz as short plain text; mounted before logging and sessions, which probes need neither of. */
export function healthRoutes(ctx: DomainContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/plain').send('ok\n');
  });
  router.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(ctx);
    res.set('Cache-Control', 'no-store').type('text/plain');
    if (readiness.ready) res.send('ready\n');
    else res.status(503).set('Retry-After', '5').send(`not ready: ${readiness.reason}\n`);
  });
  return router;
}
