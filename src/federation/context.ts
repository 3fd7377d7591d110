// What federation code is given: the domain's context plus the one outbound HTTP client, so that
// every request to another server goes through one place (and tests can pass a recording client).
import type { Db, DomainContext } from '../domain/context.ts';
import type { HttpClient } from './http-client.ts';

export type FederationContext = DomainContext &
  Readonly<{
    /** The one outbound client: address policy, timeouts, size caps, redirect limit. */
    http: HttpClient;
  }>;

// Each copy made for a transaction, to the context of the process it was made from.
const roots = new WeakMap<FederationContext, FederationContext>();

/** The context with `db` (a transaction) in place of its database; rootContext() leads back from it. */
export function withDatabase(ctx: FederationContext, db: Db): FederationContext {
  const copy: FederationContext = Object.freeze({ ...ctx, db });
  roots.set(copy, rootContext(ctx));
  return copy;
}

/** The process's own context that `ctx` was copied from (itself when it is no copy): what per-process state is kept by. */
export function rootContext(ctx: FederationContext): FederationContext {
  return roots.get(ctx) ?? ctx;
}
