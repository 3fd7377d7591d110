// Typed errors that carry an HTTP status and a message that is safe to show to the client.

/** An error whose message may be shown to the user, with the HTTP status it maps to. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** 404: the thing asked for does not exist. */
export class NotFoundError extends HttpError {
  constructor(message = 'Not found.') {
    super(404, message);
  }
}

/** 403: the user may not do this. */
export class ForbiddenError extends HttpError {
  constructor(message = 'You may not do that.') {
    super(403, message);
  }
}

/** 4xx for input that failed validation; `fields` names what was wrong with each form field. */
export class ValidationError extends HttpError {
  readonly fields: Readonly<Record<string, string>>;
  constructor(fields: Record<string, string>, status = 400) {
    super(status, Object.values(fields).join(' '));
    this.fields = fields;
  }
}

/** 503: a dependency (the database) is unavailable for now. */
export class UnavailableError extends HttpError {
  constructor(message = 'The service is briefly unavailable. Please try again in a moment.') {
    super(503, message);
  }
}

/** 410: the thing existed but has been removed (a suspended person's pages and notices). */
export class GoneError extends HttpError {
  constructor(message = 'This page has been removed.') {
    super(410, message);
  }
}
