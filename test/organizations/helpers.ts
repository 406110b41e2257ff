import type { TestContext } from '../helpers/app';
import { csrfFrom, type Agent } from '../helpers/http';
import { withCheckChar } from '../../src/shared/credit-code';

let n = 0;

/** A new, valid credit code each call (registration authority 5, civil affairs). */
export function freshCreditCode(): string {
  n += 1;
  return withCheckChar(`51110105MA${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(4, '0')}`);
}

/** A url-encoded body; a list becomes a repeated field, as a browser sends checkboxes. */
export function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  return params.toString();
}

export async function categoryIds(ctx: TestContext, ...codes: string[]): Promise<string[]> {
  const rows = await ctx.db('service_categories').whereIn('code', codes).select('id');
  return rows.map((r) => String(r.id));
}

/** Everything a registration needs, valid; override any field. */
export async function registration(
  ctx: TestContext,
  overrides: Record<string, string | string[]> = {},
): Promise<Record<string, string | string[]>> {
  n += 1;
  return {
    name: `测试社工服务中心${n}`,
    creditCode: freshCreditCode(),
    orgType: 'social_service_agency',
    legalRepresentative: '李明',
    contactPerson: '王红',
    contactPhone: '025-5212 3456',
    contactEmail: 'contact@example.org',
    foundedOn: '2018-04-01',
    certifiedSocialWorkers: '7',
    categoryIds: await categoryIds(ctx, 'elderly_disability', 'legal_aid'),
    username: `reg.user${process.pid % 1000}.${n}`,
    displayName: '王红',
    password: 'a long enough password',
    ...overrides,
  };
}

/** POSTs the registration form with a CSRF token taken from the form page. */
export async function register(agent: Agent, fields: Record<string, string | string[]>) {
  const token = await csrfFrom(agent, '/organizations/new');
  return agent
    .post('/organizations')
    .type('form')
    .send(formBody({ _csrf: token, ...fields }));
}

/** POSTs a url-encoded form (lists as repeated fields) with a token from `page`. */
export async function post(agent: Agent, path: string, fields: Record<string, string | string[]>, page = '/dashboard') {
  const token = await csrfFrom(agent, page);
  return agent
    .post(path)
    .type('form')
    .send(formBody({ _csrf: token, ...fields }));
}

export async function counts(ctx: TestContext) {
  const [orgs, users, links, events] = await Promise.all(
    ['organizations', 'users', 'organization_service_categories', 'audit_events'].map((t) =>
      ctx.db(t).count({ n: '*' }).first(),
    ),
  );
  return { orgs: Number(orgs?.n), users: Number(users?.n), links: Number(links?.n), events: Number(events?.n) };
}
