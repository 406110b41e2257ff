import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, postForm } from '../helpers/http';
import { scenario } from '../reviews/helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const backLink = (html: string) => /<a class="button primary" href="([^"]+)">([^<]+)<\/a>/.exec(html);

describe('every error page offers the way back', () => {
  it('a refused action (409) links back to the record the form was on, named in Referer', async () => {
    const s = await scenario(ctx);
    await postForm(s.manager.agent, `/reviews/calls/${s.f.callId}/opening`, {});
    const page = `/reviews/calls/${s.f.callId}`;
    const token = await csrfFrom(s.manager.agent, page);
    const res = await s.manager.agent
      .post(`${page}/scoring-closure`)
      .set('Referer', `http://127.0.0.1${page}`)
      .set('Host', '127.0.0.1')
      .type('form')
      .send({ _csrf: token });
    expect(res.status).toBe(409);
    expect(backLink(res.text)?.[1]).toBe(page);
    expect(backLink(res.text)?.[2]).toBe('返回刚才的页面');
  });

  it('without a Referer, a refused POST goes back to its record (the URL without the action)', async () => {
    const s = await scenario(ctx);
    await postForm(s.manager.agent, `/reviews/calls/${s.f.callId}/opening`, {});
    const res = await postForm(s.manager.agent, `/reviews/calls/${s.f.callId}/scoring-closure`, {});
    expect(res.status).toBe(409);
    expect(backLink(res.text)?.[1]).toBe(`/reviews/calls/${s.f.callId}`);
  });

  it('a 403 and a 404 reached by a link go back to the page the link was on, in English when chosen', async () => {
    const s = await scenario(ctx);
    const token = await csrfFrom(s.manager.agent, '/dashboard');
    await s.manager.agent.post('/language').type('form').send({ _csrf: token, lang: 'en', returnTo: '/' });
    const res = await s.manager.agent
      .get('/bids/ffffffffffffffff')
      .set('Host', '127.0.0.1')
      .set('Referer', 'http://127.0.0.1/reviews');
    expect(res.status).toBe(404);
    expect(backLink(res.text)?.[1]).toBe('/reviews');
    expect(backLink(res.text)?.[2]).toBe('Back to the page you came from');
    const forbidden = await s.manager.agent
      .get('/admin/users')
      .set('Host', '127.0.0.1')
      .set('Referer', 'http://127.0.0.1/dashboard');
    expect(forbidden.status).toBe(403);
    expect(backLink(forbidden.text)?.[1]).toBe('/dashboard');
  });

  it('never links to another site, whatever Referer says', async () => {
    const s = await scenario(ctx);
    const res = await s.manager.agent
      .get('/bids/ffffffffffffffff')
      .set('Host', '127.0.0.1')
      .set('Referer', 'https://evil.example/reviews');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('evil.example');
    expect(backLink(res.text)).toBeNull();
  });
});
