// What federation code is given: the domain's context plus the one outbound HTTP client, so that
// every request to another server goes through one place (and tests can pass a recording client).
import type { DomainContext } from '../domain/context.ts';
import type { HttpClient } from './http-client.ts';

export type FederationContext = DomainContext &
  Readonly<{
    /** The one outbound client: address policy, timeouts, size caps, redirect limit. */
    http: HttpClient;
  }>;
