import request from 'supertest';
import { createApp } from '../../src/app';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app';
import { csrfOf, signedIn } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const cookieOf = (res: request.Response, name: string) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));

async function signInForm(agent: ReturnType<typeof request.agent>, email: string, password: string, next = '/') {
  const page = await agent.get('/sign-in');
  return agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password, next });
}

describe('signing in and out', () => {
  it('sends a signed-out visitor to sign in, then back to the page they asked for', async () => {
    const agent = request.agent(t.app);
    const first = await agent.get('/reviews/1');
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/sign-in?next=%2Freviews%2F1');
    const res = await signInForm(agent, 'secretariat@test.example', PASSWORD, '/reviews?state=submitted');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/reviews?state=submitted');
  });

  it('sets an HttpOnly, SameSite=Lax session cookie, a new one at every sign-in', async () => {
    const agent = request.agent(t.app);
    const one = cookieOf(await signInForm(agent, 'kent@test.example', PASSWORD), 'dhrqa_session')!;
    expect(one).toMatch(/HttpOnly/);
    expect(one).toMatch(/SameSite=Lax/);
    expect(one).not.toMatch(/Secure/);
    // Signing in again from a signed-in page (its sign-out form carries the token) starts another session.
    const page = await agent.get('/my-reviews');
    const again = await agent
      .post('/sign-in')
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: 'kent@test.example', password: PASSWORD });
    const two = cookieOf(again, 'dhrqa_session')!;
    expect(two.split(';')[0]).not.toBe(one.split(';')[0]);
    // The replaced session is over.
    const old = await request(t.app).get('/my-reviews').set('Cookie', one.split(';')[0]!);
    expect(old.status).toBe(302);
  });

  it('keeps sessions in the database: a restarted app still knows the browser', async () => {
    const res = await signInForm(request.agent(t.app), 'panel@test.example', PASSWORD);
    const cookie = cookieOf(res, 'dhrqa_session')!.split(';')[0]!;
    const restarted = createApp(t.services);
    const page = await request(restarted).get('/dashboard').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign out');
  });

  it('signs out, and the session cannot be used again', async () => {
    const session = await signedIn(t, 'panel');
    await session.get('/dashboard');
    const out = await session.form('/sign-out', {});
    expect(out.status).toBe(302);
    expect(cookieOf(out, 'dhrqa_session')).toMatch(/dhrqa_session=;/);
    expect((await session.agent.get('/dashboard')).status).toBe(302);
  });

  it('ends a session after two idle hours', async () => {
    const session = await signedIn(t, 'panel');
    t.clock.advance(2 * 3600_000 + 60_000);
    expect((await session.agent.get('/dashboard')).headers.location).toMatch(/^\/sign-in/);
    await t.renewTokens();
  });

  it('refuses a sign-in form without its CSRF token', async () => {
    const res = await request(t.app)
      .post('/sign-in')
      .type('form')
      .send({ email: 'kent@test.example', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    expect(cookieOf(res, 'dhrqa_session')).toBeUndefined();
  });

  it('shows the error summary and keeps the email on a wrong password, and never redirects elsewhere', async () => {
    const agent = request.agent(t.app);
    const wrong = await signInForm(agent, 'secretariat@test.example', 'nope nope nope');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('govuk-error-summary');
    expect(wrong.text).toContain('Enter a correct email address and password');
    expect(wrong.text).toContain('value="secretariat@test.example"');
    const offsite = await signInForm(request.agent(t.app), 'secretariat@test.example', PASSWORD, '//evil.example/x');
    expect(offsite.headers.location).toBe('/');
  });

  it('slows down repeated failures on the sign-in page', async () => {
    const agent = request.agent(t.app);
    for (let i = 0; i < 5; i++) await signInForm(agent, 'mopac@test.example', `guess ${i}`);
    const blocked = await signInForm(agent, 'mopac@test.example', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed sign-ins for this email address');
  });
});

describe('security headers', () => {
  it("sends a Content Security Policy whose nonce is the inline script's, and forbids framing", async () => {
    const res = await request(t.app).get('/sign-in');
    const csp = res.headers['content-security-policy'] as string;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const again = await request(t.app).get('/sign-in');
    expect(again.headers['content-security-policy']).not.toBe(csp);
  });

  it('serves GOV.UK Frontend from the installed package', async () => {
    expect((await request(t.app).get('/assets/govuk-frontend.min.css')).status).toBe(200);
    expect((await request(t.app).get('/assets/govuk-frontend.min.js')).status).toBe(200);
    expect((await request(t.app).get('/assets/images/favicon.svg')).status).toBe(200);
    expect((await request(t.app).get('/assets/app.js')).text).toContain('initAll');
  });

  it('answers unknown pages with a GOV.UK "Page not found"', async () => {
    const session = await signedIn(t, 'secretariat');
    const res = await session.agent.get('/nothing/here');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
    expect((await session.agent.get('/reviews/99999')).status).toBe(404);
  });
});
