/**
 * Signing out after two idle hours: the pages know how long is left, "Stay signed in"
 * extends it, and a form sent after the session ran out is kept for its user and given
 * back once they sign in again, never to anyone else.
 */
import request from 'supertest';
import { createTestApp, meeting, PASSWORD, pdf, submittedReview, type TestApp } from '../helpers/app';
import { csrfOf, signedIn } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
// The clock runs hours on here; API tokens (used to set up) are renewed as a user would.
beforeEach(() => t.renewTokens());

const TWO_HOURS = 2 * 3600_000;
/** The seconds a page says its session has left (the test clock ticks a second at each reading). */
const secondsLeft = (html: string) => Number(/data-seconds-left="(\d+)"/.exec(html)?.[1]);
const keptCount = async () => Number((await t.db('kept_forms').count<{ n: string }[]>('* as n'))[0]!.n);

/** Signs in again in the same browser, as the sign-in form would with `next`. */
async function signInAgain(agent: request.Agent, email: string, next: string) {
  const page = await agent.get(`/sign-in?next=${encodeURIComponent(next)}`);
  return agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next });
}

/** A Kent review being revised, with one open item; returns its id and the item's. */
async function revising(pseudonym: string) {
  const id = await submittedReview(t, pseudonym);
  await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
  await t.api('panel').event(id, {
    type: 'RECORD_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: '',
    areas: [{ text: 'Remove the date of death.' }],
  });
  await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
  const item = (await t.api('kent').get(`/reviews/${id}`)).body.rounds[0].items[0].id as number;
  return { id, item };
}

describe('the timeout warning', () => {
  it('tells each page how long its session has left, and "Stay signed in" starts the two hours again', async () => {
    const kent = await signedIn(t, 'kent');
    let page = await kent.get('/my-reviews');
    expect(secondsLeft(page.text)).toBeGreaterThan(7190);
    expect(secondsLeft(page.text)).toBeLessThanOrEqual(7200);
    expect(page.text).toContain('You’re about to be signed out');
    expect(page.text).toContain(
      '<noscript><p class="govuk-body-s">For your security, you are signed out after 2 hours',
    );

    t.clock.advance(TWO_HOURS - 10 * 60_000);
    page = await kent.get('/letters');
    // The page itself counts as activity, once a minute at most.
    expect(secondsLeft(page.text)).toBeGreaterThan(7190);
    t.clock.advance(30_000);
    expect(secondsLeft((await kent.get('/letters')).text)).toBeLessThan(7175);
    t.clock.advance(TWO_HOURS - 4 * 60_000);
    const alive = await kent.form('/session/keep-alive', {});
    expect(alive.status).toBe(200);
    expect(alive.body).toEqual({ secondsLeft: 7200 });
    t.clock.advance(TWO_HOURS - 60_000);
    expect((await kent.get('/my-reviews')).status).toBe(200);
    // Without the page's token, nothing is kept alive.
    expect((await kent.agent.post('/session/keep-alive').type('form').send({})).status).toBe(403);
  });

  it('is not on pages for those signed out', async () => {
    const page = await request(t.app).get('/sign-in');
    expect(page.text).not.toContain('data-seconds-left');
  });
});

describe('after the session runs out', () => {
  it('sends a page request to sign in again, saying why', async () => {
    const kent = await signedIn(t, 'kent');
    const before = await keptCount();
    t.clock.advance(TWO_HOURS + 1000);
    const res = await kent.get('/my-reviews');
    expect(res.headers.location).toBe('/sign-in?next=%2Fmy-reviews&timedOut=1');
    const signIn = await kent.get(res.headers.location);
    expect(signIn.text).toContain(
      'You were signed out because you did not do anything for 2 hours. Sign in again to carry on.',
    );
    // Too late to stay signed in: told so, and nothing is kept.
    const late = await kent.form('/session/keep-alive', {});
    expect(late.status).toBe(401);
    expect(await keptCount()).toBe(before);
  });

  it('keeps a form sent then, and gives it back once, after its user signs in again', async () => {
    const { id, item } = await revising('Ada');
    const kent = await signedIn(t, 'kent');
    await kent.get(`/reviews/${id}/items/${item}`);
    t.clock.advance(TWO_HOURS + 1000);
    const typed = 'The date of death is removed throughout,\nand from the chronology.';
    const sent = await kent.form(`/reviews/${id}/items/${item}`, { response: typed, reportReference: 'para 2' });
    expect(sent.status).toBe(302);
    const [, kept] = /^\/sign-in\?next=%2Fresume%2F([\w-]+)&timedOut=1$/.exec(sent.headers.location) ?? [];
    expect(kept).toBeTruthy();
    expect((await t.api('kent').get(`/reviews/${id}`)).body.rounds[0].items[0].status).toBe('open');
    const signIn = await kent.get(sent.headers.location);
    expect(signIn.text).toContain('Sign in again: what you typed has been kept.');

    // Someone else signing in with the link gets nothing.
    const hackney = request.agent(t.app);
    const theirs = await signInAgain(hackney, 'hackney@test.example', `/resume/${kept}`);
    expect(theirs.headers.location).toBe(`/resume/${kept}`);
    expect((await hackney.get(`/resume/${kept}`)).status).toBe(404);

    const back = await signInAgain(kent.agent, 'kent@test.example', `/resume/${kept}`);
    expect(back.headers.location).toBe(`/resume/${kept}`);
    const resume = await kent.get(`/resume/${kept}`);
    expect(resume.status).toBe(200);
    expect(resume.text).toContain(`<form method="post" action="/reviews/${id}/items/${item}" novalidate>`);
    expect(resume.text).toContain(
      '<input type="hidden" name="response" value="The date of death is removed throughout,\nand from the chronology.">',
    );
    expect(resume.text).not.toMatch(/name="_csrf" value="(?!.{20})/);
    // Given back once: the link is spent.
    expect((await kent.agent.get(`/resume/${kept}`)).status).toBe(404);

    const done = await kent.form(`/reviews/${id}/items/${item}`, { response: typed, reportReference: 'para 2' });
    expect(done.status).toBe(302);
    expect((await t.api('kent').get(`/reviews/${id}`)).body.rounds[0].items[0]).toMatchObject({
      status: 'addressed',
      reportReference: 'para 2',
    });
  });

  it('keeps nothing sent without the page’s token, and nothing past an hour', async () => {
    const { id, item } = await revising('Bea');
    const kent = await signedIn(t, 'kent');
    t.clock.advance(TWO_HOURS + 1000);
    const before = await keptCount();
    const forged = await kent.agent.post(`/reviews/${id}/items/${item}`).type('form').send({ response: 'x' });
    expect(forged.status).toBe(403);
    expect(await keptCount()).toBe(before);

    await kent.get(`/sign-in`);
    const sent = await kent.form(`/reviews/${id}/items/${item}`, { response: 'Later' });
    const [, kept] = /resume%2F([\w-]+)/.exec(sent.headers.location) ?? [];
    t.clock.advance(3600_000 + 1000);
    await signInAgain(kent.agent, 'kent@test.example', `/resume/${kept}`);
    expect((await kent.agent.get(`/resume/${kept}`)).status).toBe(404);
  });

  it('keeps at most five forms a user, without a NUL, and only for this service’s own pages', async () => {
    const { id, item } = await revising('Dot');
    const kent = await signedIn(t, 'kent');
    await kent.get(`/reviews/${id}/items/${item}`);
    t.clock.advance(TWO_HOURS + 1000);
    const kentId = (await t.db('users').where({ email: 'kent@test.example' }).first('id')).id;
    for (let i = 0; i < 7; i++) await kent.form(`/reviews/${id}/items/${item}`, { response: `Try ${i}\u0000!` });
    const kept = await t.db('kept_forms').where({ user_id: kentId });
    expect(kept).toHaveLength(5);
    expect(kept.map((k: { fields: { response: string } }) => k.fields.response)).toContain('Try 6!');
    const away = await kent.form('//evil.example/steal', { response: 'x' });
    expect(away.headers.location).toBe('/sign-in?timedOut=1');
    expect(await t.db('kept_forms').where({ user_id: kentId })).toHaveLength(5);
  });

  it('asks for a file to be chosen again: an upload cannot be kept', async () => {
    const created = await t.api('kent').post('/reviews', { pseudonym: 'Cleo' });
    const kent = await signedIn(t, 'kent');
    await kent.get(`/reviews/${created.body.id}`);
    t.clock.advance(TWO_HOURS + 1000);
    const res = await kent.agent
      .post(`/reviews/${created.body.id}/documents`)
      .field('_csrf', kent.token)
      .field('kind', 'overview_report')
      .attach('file', pdf('late'), 'late.pdf');
    expect(res.headers.location).toBe('/sign-in?timedOut=1&upload=1');
    expect((await kent.get(res.headers.location)).text).toContain('then choose the file again: it could not be kept');
    expect((await t.api('kent').get(`/reviews/${created.body.id}`)).body.documents).toEqual([]);
  });
});
