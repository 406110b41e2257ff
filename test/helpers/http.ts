import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { TestContext } from './app';
import type { Role } from '../../src/modules/accounts/roles';
import { TEST_PASSWORD } from './factories';

export type Agent = TestAgent;

/** The CSRF token from a page's form (GET the page with the same agent first). */
export async function csrfFrom(agent: Agent, path = '/login'): Promise<string> {
  const res = await agent.get(path);
  const m = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!m) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
  return m[1];
}

/** Signs in through the real form as the given user; returns the agent holding the session. */
export async function signIn(ctx: TestContext, username: string, password = TEST_PASSWORD): Promise<Agent> {
  const agent = request.agent(ctx.app);
  const token = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, username, password });
  if (res.status !== 303) throw new Error(`sign-in as ${username} failed with ${res.status}`);
  return agent;
}

/** A new user of the role, signed in. */
export async function loginAs(ctx: TestContext, role: Role, overrides: Record<string, unknown> = {}) {
  const user = await ctx.make.user(role, overrides);
  const agent = await signIn(ctx, user.username);
  return { agent, user };
}

/** POSTs a form with the agent's CSRF token (taken from `page`, a page of the app with a form). */
export async function postForm(
  agent: Agent,
  path: string,
  fields: Record<string, string | string[]>,
  page = '/dashboard',
) {
  const token = await csrfFrom(agent, page);
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: token, ...fields });
}
