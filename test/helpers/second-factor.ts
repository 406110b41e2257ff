import request from 'supertest';
import type { TestContext } from './app';
import { csrfFrom, postForm, type Agent } from './http';
import { TEST_PASSWORD } from './factories';
import { totpAt } from '../../src/modules/accounts/totp';

/** The code the user's phone shows now. The clock moves on a step first, because a code of a step
 *  already used is refused (as it must be). */
export function phoneCode(ctx: TestContext, secret: string): string {
  ctx.clock.advance(30 * 1000);
  return totpAt(secret, ctx.clock.now());
}

export function secretOnPage(html: string): string {
  const m = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(html);
  if (!m) throw new Error('no secret on the page');
  return m[1].replace(/ /g, '');
}

export function recoveryCodesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/code><\/li>/g)].map((m) => m[1]);
}

/** Enrols the signed-in user through the real pages; returns the secret and the recovery codes. */
export async function enrol(ctx: TestContext, agent: Agent): Promise<{ secret: string; codes: string[] }> {
  const started = await postForm(agent, '/account/second-factor', {}, '/account/second-factor');
  if (started.status !== 303) throw new Error(`enrolment start answered ${started.status}`);
  const secret = secretOnPage((await agent.get('/account/second-factor')).text);
  const confirmed = await postForm(
    agent,
    '/account/second-factor/confirm',
    { code: phoneCode(ctx, secret) },
    '/account/second-factor',
  );
  if (confirmed.status !== 200) throw new Error(`enrolment confirm answered ${confirmed.status}`);
  return { secret, codes: recoveryCodesOnPage(confirmed.text) };
}

/** The password step only: the agent is left on the second step. */
export async function passwordStep(ctx: TestContext, username: string, password = TEST_PASSWORD) {
  const agent = request.agent(ctx.app);
  const token = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, username, password });
  return { agent, res };
}

/** Both steps, with the code from the phone (or a recovery code). */
export async function signInWithCode(
  ctx: TestContext,
  username: string,
  secretOrCode: { secret: string } | { recoveryCode: string },
) {
  const { agent, res } = await passwordStep(ctx, username);
  if (res.status !== 303 || res.headers.location !== '/login/second-factor')
    throw new Error(`password step answered ${res.status} ${res.headers.location}`);
  const code = 'secret' in secretOrCode ? phoneCode(ctx, secretOrCode.secret) : secretOrCode.recoveryCode;
  const done = await postForm(agent, '/login/second-factor', { code }, '/login/second-factor');
  return { agent, res: done };
}
