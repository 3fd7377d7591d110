// The one error handler: typed errors become pages with their status; nothing leaks a stack trace.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError, NotFoundError } from '../../errors.ts';

const PAGES = new Set([400, 403, 404, 405, 409, 410, 413, 415, 429, 500, 503]);

// Errors from the pg driver, knex and the network that mean "database unreachable right now".
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '57014', '53300', '08000', '08003', '08006']);

function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (name === 'KnexTimeoutError') return true;
  // pg's own timeouts, and a database closed to connections (ALLOW_CONNECTIONS false, maintenance).
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout|not currently accepting connections/i.test(message);
}

// invalid_byte_sequence_for_encoding-like errors: character_not_in_repertoire, untranslatable_character.
const INVALID_TEXT_CODES = new Set(['22021', '22P05']);

type Classified = { status: number; message: string };

function classify(error: unknown): Classified {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  const candidate = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  const status = Number(candidate?.status ?? candidate?.statusCode);
  // Errors from Express's own parsers (malformed URL, bad or oversized body) are the client's.
  if (status >= 400 && status < 500) {
    if (status === 413) return { status, message: 'What you sent is too large.' };
    const message = candidate.expose === true && typeof candidate.message === 'string' ? candidate.message : 'The request could not be understood.';
    return { status, message };
  }
  // Defence in depth: text Postgres cannot store (NUL bytes, broken encodings) is the client's fault.
  if (typeof candidate?.status === 'undefined' && INVALID_TEXT_CODES.has(String((error as { code?: unknown }).code))) {
    return { status: 400, message: 'The request contains characters that cannot be used here.' };
  }
  if (isDatabaseUnavailable(error)) return { status: 503, message: 'The database is briefly unavailable. Please try again in a moment.' };
  return { status: 500, message: 'Something went wrong on our side. It has been logged.' };
}

/** Turns an unmatched route into a 404. */
export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError('There is no page at this address.'));

// Logs server faults and sets the status; false when the answer has already begun (it is ended).
function begin(logger: Logger, error: unknown, req: Request, res: Response, classified: Classified): boolean {
  if (classified.status >= 500) logger.error({ err: error, url: req.originalUrl }, 'request failed');
  if (res.headersSent) {
    res.end();
    return false;
  }
  if (classified.status === 503) res.set('Retry-After', '5');
  res.status(classified.status);
  return true;
}

/** Answers errors of server-to-server routes (other servers read them) as short plain text. */
export function plainTextErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const classified = classify(error);
    if (begin(logger, error, req, res, classified)) res.type('text/plain').send(classified.message);
  };
}

/** Renders errors/<status>.ejs (or plain text when the page itself cannot be rendered). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const classified = classify(error);
    if (!begin(logger, error, req, res, classified)) return;
    const { status, message } = classified;
    const page = PAGES.has(status) ? String(status) : status >= 500 ? '500' : '400';
    res.render(`errors/${page}`, { title: message, status, message }, (renderError, html) => {
      if (renderError) {
        // The page itself failed (e.g. the database went away while rendering the header).
        res.type('text/plain').send(message);
        return;
      }
      res.type('html').send(html);
    });
  };
}
