import request from 'supertest';
import { createTestApp, meeting, PASSWORD, submittedReview, type TestApp } from '../helpers/app';

let t: TestApp;
let kentReview: number;
beforeAll(async () => {
  t = await createTestApp();
  kentReview = await submittedReview(t, 'Mary');
});
afterAll(() => t.close());

describe('signing in', () => {
  it('returns a token and the user for the right password', async () => {
    const res = await request(t.app).post('/api/v1/session').send({ email: 'KENT@test.example', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: expect.any(Number),
      email: 'kent@test.example',
      name: 'Test kent',
      role: 'csp',
    });
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('gives the same 401 for an unknown email as for a wrong password', async () => {
    const wrong = await request(t.app)
      .post('/api/v1/session')
      .send({ email: 'kent@test.example', password: 'not the password' });
    const unknown = await request(t.app)
      .post('/api/v1/session')
      .send({ email: 'nobody@test.example', password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('slows guessing: after five wrong passwords even the right one waits out fifteen minutes', async () => {
    const attempt = (password: string) =>
      request(t.app).post('/api/v1/session').send({ email: 'hackney@test.example', password });
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong guess ${i}`)).status).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatch(/Too many failed sign-ins for this email address/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Other accounts are not affected.
    expect(
      (await request(t.app).post('/api/v1/session').send({ email: 'kent@test.example', password: PASSWORD })).status,
    ).toBe(200);
    t.clock.advance(16 * 60_000);
    expect((await attempt(PASSWORD)).status).toBe(200);
    await t.renewTokens();
  });

  it('refuses every other call without a valid token, and after signing out', async () => {
    expect((await request(t.app).get('/api/v1/reviews')).status).toBe(401);
    expect(
      (await request(t.app).get('/api/v1/reviews').set('Authorization', 'Bearer nonsense-token-value-123456')).status,
    ).toBe(401);
    const { body } = await request(t.app)
      .post('/api/v1/session')
      .send({ email: 'panel@test.example', password: PASSWORD });
    const auth = { Authorization: `Bearer ${body.token}` };
    expect((await request(t.app).get('/api/v1/reviews').set(auth)).status).toBe(200);
    expect((await request(t.app).delete('/api/v1/session').set(auth)).status).toBe(204);
    expect((await request(t.app).get('/api/v1/reviews').set(auth)).status).toBe(401);
  });

  it('expires sign-in tokens after the session lifetime', async () => {
    const { body } = await request(t.app)
      .post('/api/v1/session')
      .send({ email: 'panel@test.example', password: PASSWORD });
    t.clock.advance(13 * 3600_000);
    const res = await request(t.app).get('/api/v1/reviews').set('Authorization', `Bearer ${body.token}`);
    expect(res.status).toBe(401);
    // Every other test's token is as old: issue fresh ones.
    await t.renewTokens();
  });
});

describe('who sees which review', () => {
  // These tests compare whole lists of reviews: they see an app of their own, with one review per CSP.
  let t: TestApp;
  let kentReview: number;
  let hackneyReview: number;
  beforeAll(async () => {
    t = await createTestApp();
    kentReview = await submittedReview(t, 'Mary');
    hackneyReview = (await t.api('hackney').post('/reviews', { pseudonym: 'Anna' })).body.id;
  });
  afterAll(() => t.close());

  it('shows a CSP only its own reviews; another CSP gets 404, never 403', async () => {
    const own = await t.api('kent').get('/reviews');
    expect(own.body.map((r: { id: number }) => r.id)).toEqual([kentReview]);
    expect((await t.api('hackney').get(`/reviews/${kentReview}`)).status).toBe(404);
    expect((await t.api('hackney').event(kentReview, { type: 'SUBMIT' })).status).toBe(404);
    expect((await t.api('hackney').upload(kentReview, 'other', Buffer.from('%PDF-1.4\n%%EOF'))).status).toBe(404);
    expect((await t.api('hackney').get(`/reviews/${kentReview}/documents/1`)).status).toBe(404);
    expect((await t.api('hackney').get('/reviews?cspId=' + t.ids.kentCsp)).body).toEqual([]);
  });

  it('shows a PCC only the reviews of CSPs in its force area, read only', async () => {
    expect((await t.api('kentPcc').get('/reviews')).body.map((r: { id: number }) => r.id)).toEqual([kentReview]);
    expect((await t.api('metPcc').get('/reviews')).body.map((r: { id: number }) => r.id)).toEqual([hackneyReview]);
    expect((await t.api('metPcc').get(`/reviews/${kentReview}`)).status).toBe(404);

    const read = await t.api('kentPcc').get(`/reviews/${kentReview}`);
    expect(read.status).toBe(200);
    expect(read.body.allowedEvents).toEqual([]);
    const send = await t.api('kentPcc').event(kentReview, { type: 'PAUSE', category: 'other', reason: 'test' });
    expect(send.status).toBe(403);
    expect((await t.api('kentPcc').post('/reviews', { cspId: t.ids.kentCsp, pseudonym: 'X' })).status).toBe(403);
  });

  it('lets the secretariat and panel see every review', async () => {
    for (const who of ['secretariat', 'panel'] as const) {
      const ids = (await t.api(who).get('/reviews')).body.map((r: { id: number }) => r.id).sort();
      expect(ids).toEqual([kentReview, hackneyReview].sort());
    }
  });

  it('filters reviews by state and CSP', async () => {
    const submitted = await t.api('secretariat').get('/reviews?state=submitted');
    expect(submitted.body.map((r: { id: number }) => r.id)).toEqual([kentReview]);
    const hackney = await t.api('secretariat').get(`/reviews?cspId=${t.ids.hackneyCsp}`);
    expect(hackney.body.map((r: { id: number }) => r.id)).toEqual([hackneyReview]);
    const bad = await t.api('secretariat').get('/reviews?state=lost');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('state');
  });

  it('lets a CSP notify reviews only for itself', async () => {
    const other = await t.api('kent').post('/reviews', { cspId: t.ids.hackneyCsp, pseudonym: 'Zed' });
    expect(other.status).toBe(403);
    expect(await t.db('reviews').where({ pseudonym: 'Zed' })).toHaveLength(0);
  });
});

describe('what each role may do', () => {
  it('answers 403 when a role may never send an event, and names it', async () => {
    const res = await t.api('kent').event(kentReview, { type: 'SCHEDULE', meetingId: 1 });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('Your role (csp) cannot schedule a review for a panel meeting (SCHEDULE)');
    const panel = await t.api('panel').event(kentReview, { type: 'WITHDRAW', reason: 'x' });
    expect(panel.status).toBe(403);
  });

  it('answers a type the events route does not take with the field at fault, whoever sends it', async () => {
    for (const who of ['panel', 'kent'] as const) {
      const res = await t.api(who).event(kentReview, { type: 'ATTACH_DOCUMENT' });
      expect(res.status).toBe(422);
      expect(res.body.errors[0].field).toBe('type');
    }
  });

  it('lets a panel member record an outcome but not schedule', async () => {
    const id = await submittedReview(t, 'Nell');
    const m = await meeting(t);
    expect((await t.api('panel').event(id, { type: 'SCHEDULE', meetingId: m })).status).toBe(403);
    expect((await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: m })).status).toBe(200);
    const allowed = (await t.api('panel').get(`/reviews/${id}`)).body.allowedEvents;
    expect(allowed).toEqual(['RECORD_OUTCOME']);
  });

  it('keeps administration to the secretariat', async () => {
    const csp = {
      name: 'Dover CSP',
      policeForceAreaId: t.ids.kentArea,
      addressLines: ['Dover'],
      contacts: [{ name: 'A B', email: 'ab@dover.example' }],
    };
    for (const who of ['panel', 'kent', 'kentPcc'] as const) {
      expect((await t.api(who).post('/csps', csp)).status).toBe(403);
      expect(
        (
          await t
            .api(who)
            .post('/users', { email: 'x@y.example', name: 'X', role: 'panel', password: 'a long password here' })
        ).status,
      ).toBe(403);
      expect(
        (await t.api(who).put(`/police-force-areas/${t.ids.kentArea}`, { pccName: 'X', pccEmail: null })).status,
      ).toBe(403);
    }
    expect((await t.api('kent').post('/panel-meetings', { date: '2026-09-01' })).status).toBe(403);
    expect((await t.api('kent').get('/panel-meetings')).status).toBe(403);
    const created = await t.api('secretariat').post('/csps', csp);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Dover CSP', policeForceArea: 'Kent', contacts: csp.contacts });
  });

  it("lists CSPs in each user's scope", async () => {
    const names = async (who: 'kent' | 'metPcc' | 'secretariat') =>
      (await t.api(who).get('/csps')).body.map((c: { name: string }) => c.name);
    expect(await names('kent')).toEqual(['Kent CSP']);
    expect(await names('metPcc')).toEqual(['Hackney CSP']);
    expect(await names('secretariat')).toEqual(expect.arrayContaining(['Kent CSP', 'Hackney CSP']));
  });
});

describe('accounts and PCC details', () => {
  it('creates users with a scope that fits their role, unique by email whatever its case', async () => {
    const ok = await t.api('secretariat').post('/users', {
      email: 'new.pcc@test.example',
      name: 'New PCC',
      role: 'pcc',
      policeForceAreaId: t.ids.kentArea,
      password: 'a long enough password',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({
      id: expect.any(Number),
      email: 'new.pcc@test.example',
      name: 'New PCC',
      role: 'pcc',
      cspId: null,
      policeForceAreaId: t.ids.kentArea,
      organisationId: null,
    });
    expect(ok.body).not.toHaveProperty('passwordHash');

    const dup = await t.api('secretariat').post('/users', {
      email: 'NEW.PCC@test.example',
      name: 'Again',
      role: 'panel',
      password: 'a long enough password',
    });
    expect(dup.status).toBe(409);

    const noCsp = await t
      .api('secretariat')
      .post('/users', { email: 'c@test.example', name: 'C', role: 'csp', password: 'a long enough password' });
    expect(noCsp.status).toBe(422);
    expect(noCsp.body.errors).toEqual([{ field: 'cspId', message: 'is required for a CSP user' }]);

    const short = await t
      .api('secretariat')
      .post('/users', { email: 'd@test.example', name: 'D', role: 'panel', password: 'short' });
    expect(short.body.errors).toEqual([{ field: 'password', message: 'must be at least 12 characters' }]);
  });

  it('updates a PCC office and lists it', async () => {
    const res = await t
      .api('secretariat')
      .put(`/police-force-areas/${t.ids.kentArea}`, { pccName: 'Kent PCC', pccEmail: 'office@kent-pcc.example' });
    expect(res.status).toBe(200);
    const areas = (await t.api('kent').get('/police-force-areas')).body;
    expect(areas.find((a: { id: number }) => a.id === t.ids.kentArea)).toEqual({
      id: t.ids.kentArea,
      name: 'Kent',
      pccName: 'Kent PCC',
      pccEmail: 'office@kent-pcc.example',
    });
    const bad = await t
      .api('secretariat')
      .put(`/police-force-areas/${t.ids.kentArea}`, { pccName: 'Kent PCC', pccEmail: 'not an email' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('pccEmail');
  });
});
