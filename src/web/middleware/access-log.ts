// One JSON line per request: its id (also sent as X-Request-Id), method, path, status and duration.
// Written directly with the process's logger: pino-http's child logger per request, its
// serializers and its wrapping of the response were about a tenth of a small page's CPU time.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

// The tokens of emailed (or chatted) links open an account (recovery) or bind an address: kept out of the access log.
function withoutLinkTokens(url: string): string {
  return url.replace(/^(\/main\/(?:recoverpassword|confirmaddress|confirmim)\/)[^/?#]+/, '$1[token]');
}

function logLine(logger: Logger, req: Request, res: Response, id: string, started: number, finished: boolean): void {
  const line = {
    req: { id, method: req.method, url: withoutLinkTokens(req.originalUrl) },
    res: { statusCode: res.statusCode },
    responseTime: Math.round(performance.now() - started),
  };
  // Another server refusing a step of a remote subscription is not our failure: a warning saying
  // what it answered (res.locals.upstreamFailure), without a stack trace of our own.
  const remote = res.locals.upstreamFailure;
  if (remote) logger.warn({ ...line, remote }, 'another server refused a remote subscription step');
  else if (!finished) logger.info(line, 'request aborted');
  else if (res.statusCode >= 500) logger.error(line, 'request errored');
  else logger.info(line, 'request completed');
}

/** Logs each request when its answer has been sent (or the client went away first). */
export function accessLog(logger: Logger): RequestHandler {
  // Its lines hold only the fields above, none of the paths the process's logger censors: checking
  // them for those paths on every line was half the cost of writing it.
  const lines = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const id = randomUUID();
    const started = performance.now();
    res.setHeader('X-Request-Id', id);
    res.once('close', () => logLine(lines, req, res, id, started, res.writableFinished));
    next();
  };
}
