// Whether this process is fit to serve: what orchestrators and load balancers ask before routing to it.
import { pingDatabase } from '../db/health.ts';
import { migrationsAreCurrent } from '../db/migrate.ts';
import type { DomainContext } from './context.ts';

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Ready when the database answers within timeoutMs and every migration has been applied. */
export async function checkReadiness(ctx: DomainContext, timeoutMs = 3000): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `the database did not answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const check = (async (): Promise<Readiness> => {
    try {
      await pingDatabase(ctx.db);
      if (!(await migrationsAreCurrent(ctx.db))) return { ready: false, reason: 'migrations are pending' };
      return { ready: true };
    } catch {
      return { ready: false, reason: 'the database cannot be reached' };
    }
  })();
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
