import type { Problem, Problems } from './problems';

/** Typed errors. Handlers and services throw them; one handler (errorHandler) turns each into a
 *  status page in the user's language. `messageKey` is an i18n key, `params` its values. */
export class DomainError extends Error {
  constructor(
    public readonly status: number,
    public readonly messageKey: string,
    public readonly params: Record<string, unknown> = {},
  ) {
    super(messageKey);
    this.name = new.target.name;
  }
}

export class BadRequest extends DomainError {
  constructor(messageKey = 'errors.badRequest', params?: Record<string, unknown>) {
    super(400, messageKey, params);
  }
}
export class NotSignedIn extends DomainError {
  constructor() {
    super(401, 'errors.notSignedIn');
  }
}
export class SessionExpired extends DomainError {
  constructor() {
    super(401, 'errors.sessionExpired');
  }
}
export class Forbidden extends DomainError {
  constructor(messageKey = 'errors.forbidden', params?: Record<string, unknown>) {
    super(403, messageKey, params);
  }
}
export class NotFound extends DomainError {
  constructor(messageKey = 'errors.notFound', params?: Record<string, unknown>) {
    super(404, messageKey, params);
  }
}
export class InvalidState extends DomainError {
  constructor(messageKey = 'errors.invalidState', params?: Record<string, unknown>) {
    super(409, messageKey, params);
  }
}
export class PayloadTooLarge extends DomainError {
  constructor(messageKey = 'errors.tooLarge', params?: Record<string, unknown>) {
    super(413, messageKey, params);
  }
}
export class TooManyRequests extends DomainError {
  constructor(messageKey = 'errors.tooManyRequests', params?: Record<string, unknown>) {
    super(429, messageKey, params);
  }
}

/** A form refused for its content — the one error for it, from a schema, a service or a stored
 *  file: field -> an i18n key, or a problem (key and values). `fieldErrors` are the bare keys. The
 *  submit helper (web/submit.ts) shows them beside the fields of the same form, with 422. */
export class ValidationFailed extends DomainError {
  public readonly fieldErrors: Record<string, string>;
  public readonly problems: Problems;
  constructor(errors: Record<string, string | Problem>, messageKey = 'errors.validation') {
    super(422, messageKey);
    this.problems = Object.fromEntries(
      Object.entries(errors).map(([k, e]) => [k, typeof e === 'string' ? { key: e } : e]),
    );
    this.fieldErrors = Object.fromEntries(Object.entries(this.problems).map(([k, p]) => [k, p.key]));
  }
}
