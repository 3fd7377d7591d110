// The security headers every answer carries, as helmet writes them: helmet is asked once, at
// start-up, what it would set, and each response gets that list. Run per request, helmet's dozen
// middleware functions (each with its own call and closure) cost more than setting the headers.
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { HelmetOptions } from 'helmet';

/** The headers helmet sets for these options, in order; throws if they would depend on the request. */
export function helmetHeaders(options: HelmetOptions): [string, string][] {
  const headers: [string, string][] = [];
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, String(value)]);
    },
    removeHeader() {}, // X-Powered-By: Express never sets it (app.disable('x-powered-by'))
  };
  let done = false;
  let failure: unknown;
  // No request properties: a header computed from the request (a nonce, say) fails here, not in production.
  helmet(options)(Object.freeze({}) as never, response as never, (error?: unknown) => {
    done = true;
    failure = error;
  });
  if (!done || failure) throw new Error(`helmet did not answer synchronously for these options: ${String(failure)}`);
  return headers;
}

/** Sets helmet's headers (for these options) on every response. */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = helmetHeaders(options);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
