import type { Request } from 'express';
import type { Problems } from '../terms';

/** Problems (i18n keys with values) -> messages in the user's language. */
export const translate = (req: Request, problems: Problems) => Object.fromEntries(Object.entries(problems).map(([k, p]) => [k, req.t(p.key, p.params)]));
