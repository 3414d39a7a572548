import request from 'supertest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/core/log';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';
import { visible, textsOf } from '../helpers/page';

/**
 * The log: one JSON line per request with its request id, which the answer carries as
 * X-Request-Id and a 500 gives as its reference; and nothing personal in any line.
 */
let t: TestApp;
/** The test world's app again, logging into `lines`. */
let logged: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  logged = { ...t, app: createApp(t.services, { sessionSecret: 'a'.repeat(64), secure: false, logger }) };
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => t.close());

type Line = {
  level: string;
  msg: string;
  reqId?: string;
  req?: { method: string; path: string };
  res?: { statusCode: number };
  responseTime?: number;
  userId?: number;
  role?: string;
  err?: { type: string; stack?: string };
  [key: string]: unknown;
};

const entries = (): Line[] => lines.map((line) => JSON.parse(line) as Line);

/** The lines of one request, once its own line (written when the answer is finished) is out. */
async function linesOf(id: string): Promise<Line[]> {
  for (let i = 0; i < 50 && !entries().some((e) => e.reqId === id && e.res); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return entries().filter((e) => e.reqId === id);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const bearer = (who: 'kent' | 'secretariat') => `Bearer ${t.tokens[who]}`;

describe('a line per request', () => {
  it('gives each request an id, sends it back as X-Request-Id and logs the request under it', async () => {
    const res = await request(logged.app).get('/api/v1/reviews').set('Authorization', bearer('kent'));
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(UUID);
    const [line, ...more] = await linesOf(id);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      reqId: id,
      req: { method: 'GET', path: '/api/v1/reviews' },
      res: { statusCode: 200 },
      role: 'csp',
    });
    expect(typeof line!.userId).toBe('number');
    expect(typeof line!.responseTime).toBe('number');
    expect(typeof line!.time).toBe('string');

    // Pages too, signed out and signed in; and every request line has its id.
    const page = await request(logged.app).get('/sign-in');
    expect(page.headers['x-request-id']).toMatch(UUID);
    expect(await linesOf(page.headers['x-request-id'])).toHaveLength(1);
    const requestLines = entries().filter((e) => e.res);
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    for (const e of requestLines) expect(e.reqId).toMatch(UUID);
  });

  it("reuses a caller's plain X-Request-Id and replaces any other", async () => {
    const given = 'edge-7f3a.9_B';
    const res = await request(logged.app).get('/health').set('X-Request-Id', given);
    expect(res.headers['x-request-id']).toBe(given);
    const api = await request(logged.app)
      .get('/api/v1/reviews')
      .set('Authorization', bearer('kent'))
      .set('X-Request-Id', 'trace.42');
    expect(api.headers['x-request-id']).toBe('trace.42');
    expect((await linesOf('trace.42')).map((e) => e.req?.path)).toEqual(['/api/v1/reviews']);

    for (const bad of ['x'.repeat(200), 'two words', 'a\tb', '<script>', '', 'id;drop', 'é']) {
      const r = await request(logged.app)
        .get('/api/v1/reviews')
        .set('Authorization', bearer('kent'))
        .set('X-Request-Id', bad);
      expect({ bad, id: r.headers['x-request-id'] }).toEqual({ bad, id: expect.stringMatching(UUID) });
      expect(await linesOf(r.headers['x-request-id'])).toHaveLength(1);
    }
    // A header with a line break never reaches the app: Node refuses to send it.
    await expect(request(logged.app).get('/health').set('X-Request-Id', 'a\nb')).rejects.toThrow(/Invalid character/);
    expect(lines.join('')).not.toContain('x'.repeat(200));
  });

  it('logs health checks at debug, out of the way of the requests that matter', async () => {
    const res = await request(logged.app).get('/health');
    expect(res.status).toBe(200);
    expect(await linesOf(res.headers['x-request-id'])).toEqual([]);
  });
});

describe('an unexpected error', () => {
  const failListing = () => {
    const err = new Error('boom: Zebedee-Secret said zebedee@secret.example');
    jest.spyOn(t.services.reviews, 'list').mockRejectedValue(err);
  };

  it('answers the API with its request id as the reference, and logs it once with its stack frames', async () => {
    failListing();
    const res = await request(logged.app).get('/api/v1/reviews').set('Authorization', bearer('kent'));
    expect(res.status).toBe(500);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(res.body).toEqual({
      error: 'Something went wrong on our side. Nothing was changed; please try again.',
      reference: id,
    });
    expect(res.text).not.toMatch(/ at |boom|\.ts/);

    const mine = await linesOf(id);
    const errors = mine.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'unexpected error',
      reqId: id,
      method: 'GET',
      path: '/api/v1/reviews',
      err: { type: 'Error' },
    });
    expect(errors[0]!.err!.stack).toMatch(/^at /);
    expect(mine.find((e) => e.res)).toMatchObject({ level: 'warn', reqId: id, res: { statusCode: 500 } });
    // The message could hold anything (knex puts the SQL and its values in it): it is not logged.
    expect(JSON.stringify(mine)).not.toMatch(/boom|Zebedee|zebedee/);
  });

  it('shows its request id on the page as the reference to quote', async () => {
    const kent = await signedIn(logged, 'kent');
    failListing();
    const page = await kent.get('/my-reviews');
    expect(page.status).toBe(500);
    const id = page.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(page.text).toContain('Sorry, there is a problem with the service');
    expect(visible(page.text)).toContain(`quote reference ${id}`);
    expect(textsOf(page.text, 'strong')).toContain(id);
    expect(page.text).not.toMatch(/boom|Zebedee|\.ts:\d+/);
    const mine = await linesOf(id);
    expect(mine.filter((e) => e.level === 'error')).toEqual([
      expect.objectContaining({ msg: 'unexpected error', reqId: id, path: '/my-reviews' }),
    ]);
    expect(mine.find((e) => e.res)).toMatchObject({ role: 'csp', res: { statusCode: 500 } });
  });

  it('keeps the answers to known errors as they were: no reference, nothing logged at error', async () => {
    const before = entries().filter((e) => e.level === 'error').length;
    const missing = await request(logged.app).get('/api/v1/reviews/999999').set('Authorization', bearer('kent'));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'No review with this id' });
    const badJson = await request(logged.app)
      .post('/api/v1/reviews')
      .set('Authorization', bearer('kent'))
      .set('Content-Type', 'application/json')
      .send('{"pseudonym":');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toEqual({ error: 'The request body is not valid JSON' });
    const invalid = await request(logged.app).post('/api/v1/reviews').set('Authorization', bearer('kent')).send({});
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'pseudonym' })]));
    expect(entries().filter((e) => e.level === 'error')).toHaveLength(before);
  });
});

describe('nothing personal in the log', () => {
  it('logs no body, query string, cookie, token, password or email address', async () => {
    const start = lines.length;
    // Signing in through the form posts an email address and a password.
    const kent = await signedIn(logged, 'kent');
    await kent.get('/my-reviews');
    const api = (method: 'get' | 'post', url: string) =>
      request(logged.app)[method](`/api/v1${url}`).set('Authorization', bearer('kent'));
    const created = await api('post', '/reviews').send({ pseudonym: 'Zebedee-Secret' });
    expect(created.status).toBe(201);
    const found = await api('get', '/reviews?q=Zebedee-Secret');
    expect(found.status).toBe(200);
    expect(found.body.map((r: { pseudonym: string }) => r.pseudonym)).toContain('Zebedee-Secret');
    const csp = await request(logged.app)
      .post('/api/v1/csps')
      .set('Authorization', bearer('secretariat'))
      .send({
        name: 'Zebedee-Secret CSP',
        policeForceAreaId: t.ids.kentArea,
        addressLines: ['1 Zebedee-Secret Street'],
        contacts: [{ name: 'Zebedee-Secret Contact', email: 'zebedee@secret.example' }],
      });
    expect(csp.status).toBeLessThan(500);
    // A reset link's token rides in the query string.
    await request(logged.app).get('/reset-password?token=zebedee-secret-token');
    const session = await request(logged.app)
      .post('/api/v1/session')
      .send({ email: 'kent@test.example', password: PASSWORD });
    expect(session.status).toBe(200);

    const written = lines.slice(start).join('');
    expect(lines.length - start).toBeGreaterThanOrEqual(8);
    for (const secret of [
      'Zebedee',
      'zebedee',
      'kent@test.example',
      '@',
      PASSWORD,
      t.tokens.kent,
      session.body.token,
      'Bearer',
      'cookie',
      'authorization',
      '?',
    ]) {
      expect({ secret, found: written.includes(secret) }).toEqual({ secret, found: false });
    }
    // What is logged of the search: its path alone.
    expect(
      entries().find((e) => e.req?.path === '/api/v1/reviews' && e.reqId === found.headers['x-request-id']),
    ).toBeDefined();
  });
});
