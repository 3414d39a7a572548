import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { backup } from '../../src/db/backup';
import { createTestApp, meeting, submittedReview, type TestApp } from '../helpers/app';
import { fingerprint } from '../helpers/fingerprint';

/**
 * What an independent test found the service did with hostile or careless requests: each
 * case answered 500, leaked, or left a door open. Each must now answer 4xx and change nothing.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const unchanged = async (call: () => Promise<request.Response>) => {
  const before = await fingerprint(t.db, { except: ['web_sessions', 'api_tokens', 'sign_in_failures'] });
  const res = await call();
  expect(await fingerprint(t.db, { except: ['web_sessions', 'api_tokens', 'sign_in_failures'] })).toEqual(before);
  return res;
};

describe('values the database cannot hold', () => {
  it('refuses a NUL byte in a search, naming the field', async () => {
    const res = await t.api('secretariat').get('/reviews?q=Ma%00ry');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'q', message: 'must not contain control or broken characters' }]);
  });

  it('refuses ids of 2^31 and beyond, in filters, in bodies and in paths', async () => {
    for (const url of ['/reviews?cspId=2147483648', '/reviews?meetingId=99999999999', '/reviews?offset=2147483648']) {
      const res = await t.api('secretariat').get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 422 });
    }
    const created = await unchanged(() => t.api('secretariat').post('/reviews', { cspId: 2 ** 31, pseudonym: 'X' }));
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([{ field: 'cspId', message: 'is not the id of any record' }]);
    const csp = await unchanged(() =>
      t.api('secretariat').post('/csps', {
        name: 'Big CSP',
        policeForceAreaId: 2 ** 40,
        addressLines: [],
        contacts: [{ name: 'A', email: 'a@b.example' }],
      }),
    );
    expect(csp.body.errors).toEqual([{ field: 'policeForceAreaId', message: 'is not the id of any record' }]);
    expect((await t.api('secretariat').get('/reviews/2147483648')).status).toBe(404);
    expect((await t.api('secretariat').get('/letters/01')).status).toBe(404);
  });

  it('refuses dates in year 0000 and beyond 2100', async () => {
    for (const date of ['0000-01-01', '2101-01-01']) {
      const res = await unchanged(() => t.api('secretariat').post('/panel-meetings', { date }));
      expect({ date, status: res.status, errors: res.body.errors }).toEqual({
        date,
        status: 422,
        errors: [{ field: 'date', message: 'must be a date between 1900 and 2100' }],
      });
    }
  });
});

describe('small doors', () => {
  it('answers an unknown mail id with 404 and no download headers', async () => {
    const res = await t.api('secretariat').get('/mail/999999/eml');
    expect(res.status).toBe(404);
    expect(res.headers['content-disposition']).toBeUndefined();
  });

  it('keeps every answer out of caches, the API 404 included, and asks for no browser features', async () => {
    for (const [url, status] of [
      ['/api/nothing', 404],
      ['/api/v1/nothing', 401],
    ] as const) {
      const res = await request(t.app).get(url);
      expect({ url, status: res.status, cache: res.headers['cache-control'] }).toEqual({
        url,
        status,
        cache: 'no-store',
      });
    }
    expect((await t.api('secretariat').get('/nothing')).headers['cache-control']).toBe('no-store');
    const page = await request(t.app).get('/sign-in');
    expect(page.headers['permissions-policy']).toContain('camera=()');
  });

  it('never writes a backup into a file left where it would go, whatever its permissions', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-partial-'));
    const target = path.join(folder, 'backup.gz');
    // What an earlier run (or someone else) might leave: a world-readable partial file of the old naming.
    const stale = `${target}.partial-${process.pid}`;
    fs.writeFileSync(stale, 'old', { mode: 0o644 });
    try {
      await backup(t.db, target);
      expect(fs.readFileSync(stale, 'utf8')).toBe('old');
      expect(fs.statSync(target).mode & 0o077).toBe(0);
      expect(fs.readdirSync(folder).sort()).toEqual(['backup.gz', path.basename(stale)]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('who did what, as the CSP and the PCC read it', () => {
  it('names the QA Panel and the Home Office rather than their members, and keeps a pause reason unless shared', async () => {
    const id = await submittedReview(t, 'Hidden');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-02-02') });
    await t
      .api('secretariat')
      .event(id, { type: 'PAUSE', category: 'criminal_trial', reason: 'The trial of the perpetrator starts in May' });
    await t.api('secretariat').event(id, { type: 'RESUME' });
    await t
      .api('secretariat')
      .event(id, { type: 'PAUSE', category: 'inquest', reason: 'Waiting for the inquest', shareReason: true });

    const office = (await t.api('secretariat').get(`/reviews/${id}`)).body.history;
    expect(office.find((h: { type: string }) => h.type === 'SCHEDULE').actor).toMatchObject({
      email: 'secretariat@test.example',
      name: 'Test secretariat',
    });
    expect(office.filter((h: { type: string }) => h.type === 'PAUSE').map((h: { reason: string }) => h.reason)).toEqual(
      ['The trial of the perpetrator starts in May', 'Waiting for the inquest'],
    );

    for (const who of ['kent', 'kentPcc'] as const) {
      const review = await t.api(who).get(`/reviews/${id}`);
      const history = review.body.history;
      expect(history.find((h: { type: string }) => h.type === 'SCHEDULE').actor).toEqual({
        email: null,
        name: 'the Home Office',
        role: 'secretariat',
      });
      expect(
        history.filter((h: { type: string }) => h.type === 'PAUSE').map((h: { reason?: string }) => h.reason),
      ).toEqual([undefined, 'Waiting for the inquest']);
      expect(JSON.stringify(review.body)).not.toContain('secretariat@test.example');
      expect(JSON.stringify(review.body)).not.toContain('perpetrator');
    }
  });
});
