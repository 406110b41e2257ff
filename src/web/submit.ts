import type { Request, Response } from 'express';
import type { z } from 'zod';
import { DomainError, ValidationFailed } from './errors';
import { flash } from './flash';
import { formValues, parseForm, type FormResult, type FormValues } from './forms';

/** A refused form, ready to be shown again: the status, the messages beside the fields in the reader's
 *  language, what was typed, and a message for the whole form (or null). */
export interface Refusal {
  status: number;
  errors: Record<string, string>;
  values: FormValues;
  formError: string | null;
}

/** Where a form that went through goes (303), and the one-time message shown there. */
export interface Done {
  redirect: string;
  flash?: string;
  flashType?: 'success' | 'info';
}

/** A form that cannot be taken now for a reason that is not its content (e.g. too many attempts):
 *  shown again with this status and message, nothing written. */
export interface NotNow {
  status: number;
  formError: string;
}

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

export interface Submission<T> {
  /** Shows the same form again, refused (422, or the status of the upload's or the state's refusal). */
  again(refusal: Refusal): unknown;
  /** The form's schema (parseForm), or a parser of its own; without either, `run` gets undefined. */
  schema?: z.ZodType<T>;
  parse?: (body: unknown) => FormResult<T>;
  /** The file field beside which an upload refused by the parser (req.uploadProblem) is shown. */
  uploadField?: string;
  /** Values for every field message (e.g. `allowed` file types). */
  messageParams?: Record<string, unknown>;
  /** Refusals of the record's state (e.g. InvalidState) shown on the form as its message, not as an error page. */
  onForm?: readonly DomainErrorClass[];
  /** Does the work; a ValidationFailed thrown from here re-shows the form, nothing written. */
  run(data: T): Promise<Done | NotNow>;
}

/** The one way to handle a form: parse → run → redirect with a flash; or the same form again, with
 *  the status, the error summary and the typed values, when the upload, the parse or the service
 *  refused it. Handlers then have no try/catch for form problems. */
export async function submitForm<T>(req: Request, res: Response, s: Submission<T>): Promise<unknown> {
  const values = formValues(req.body);
  const refuse = (status: number, errors: Record<string, string>, formError: string | null = null) =>
    s.again({ status, errors, values, formError });
  if (s.uploadField && req.uploadProblem) {
    const { status, messageKey, params } = req.uploadProblem;
    return refuse(status, { [s.uploadField]: req.t(messageKey, params) });
  }
  const parsed = s.parse ? s.parse(req.body) : s.schema ? parseForm(s.schema, req.body, req.t) : null;
  if (parsed && !parsed.ok) return refuse(422, parsed.errors);
  let done: Done | NotNow;
  try {
    done = await s.run(parsed ? parsed.data : (undefined as T));
  } catch (err) {
    if (err instanceof ValidationFailed) return refuse(err.status, fieldMessages(req, err, s.messageParams));
    if (err instanceof DomainError && s.onForm?.some((c) => err instanceof c))
      return refuse(err.status, {}, req.t(err.messageKey, err.params));
    throw err;
  }
  if ('formError' in done) return refuse(done.status, {}, done.formError);
  if (done.flash) flash(req, done.flashType ?? 'success', done.flash);
  return res.redirect(303, done.redirect);
}

/** A refusal's field messages in the reader's language. */
export function fieldMessages(
  req: Pick<Request, 't'>,
  err: ValidationFailed,
  params: Record<string, unknown> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(err.problems).map(([field, p]) => [field, req.t(p.key, { ...params, ...p.params })]),
  );
}
