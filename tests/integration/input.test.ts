import request from 'supertest';
import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';
import { docx, odt } from '../helpers/zip';

let t: TestApp;
let id: number;
beforeAll(async () => {
  t = await createTestApp();
  id = await submittedReview(t, 'Mary');
});
afterAll(() => t.close());

/** Counts of the rows a bad request must leave untouched. */
async function snapshot() {
  const count = async (table: string) => Number((await t.db(table).count('* as n'))[0]!.n);
  const review = await t.db('reviews').where({ id }).first('state', 'version');
  return {
    review,
    events: await count('review_events'),
    documents: await count('documents'),
    rounds: await count('rounds'),
    reviews: await count('reviews'),
    meetings: await count('panel_meetings'),
    outbox: await count('outbox'),
  };
}

describe('bad input is refused with a message naming the field, and changes nothing', () => {
  const cases: [string, () => Promise<request.Response>, number, { field?: string; message?: RegExp }][] = [
    [
      'unknown event type',
      () => t.api('secretariat').event(id, { type: 'PUBLISH_NOW' }),
      422,
      { field: 'type', message: /must be one of RECORD_DECISION, RECORD_PANEL_VIEW, SUBMIT, SCHEDULE/ },
    ],
    [
      'missing type',
      () => t.api('secretariat').event(id, { meetingId: 1 }),
      422,
      { field: 'type', message: /is required/ },
    ],
    [
      'wrong type of value',
      () => t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: 'one' }),
      422,
      { field: 'meetingId', message: /whole number/ },
    ],
    [
      'unknown field',
      () => t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: 1, urgent: true }),
      422,
      { field: 'urgent', message: /not a known field/ },
    ],
    [
      'meeting that does not exist',
      () => t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: 9999 }),
      422,
      { field: 'meetingId', message: /no panel meeting/ },
    ],
    [
      'negative expected version',
      () => t.api('secretariat').event(id, { type: 'SUBMIT', expectedVersion: -1 }),
      422,
      { field: 'expectedVersion' },
    ],
    [
      'empty pause reason',
      () => t.api('secretariat').event(id, { type: 'PAUSE', category: 'other', reason: '   ' }),
      422,
      { field: 'reason', message: /must not be empty/ },
    ],
    [
      'control characters',
      () => t.api('secretariat').event(id, { type: 'PAUSE', category: 'other', reason: 'bell\u0007' }),
      422,
      { field: 'reason', message: /control characters/ },
    ],
    [
      'huge text',
      () => t.api('secretariat').event(id, { type: 'PAUSE', category: 'other', reason: 'x'.repeat(2001) }),
      422,
      { field: 'reason', message: /at most 2000/ },
    ],
    [
      'areas for a publish outcome',
      () =>
        t
          .api('panel')
          .event(id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [{ text: 'x' }] }),
      422,
      { field: 'areas', message: /must be empty/ },
    ],
    [
      'no areas for resubmit',
      () => t.api('panel').event(id, { type: 'RECORD_OUTCOME', outcome: 'resubmit', commendations: '', areas: [] }),
      422,
      { field: 'areas', message: /at least one area/ },
    ],
    [
      'area without text',
      () => t.api('panel').event(id, { type: 'RECORD_OUTCOME', outcome: 'resubmit', areas: [{ heading: 'H' }] }),
      422,
      { field: 'areas.0.text', message: /required/ },
    ],
    [
      'bad outcome',
      () => t.api('panel').event(id, { type: 'RECORD_OUTCOME', outcome: 'maybe', areas: [] }),
      422,
      { field: 'outcome' },
    ],
    [
      'impossible date',
      () => t.api('secretariat').post('/panel-meetings', { date: '2026-02-30' }),
      422,
      { field: 'date', message: /real calendar date/ },
    ],
    [
      'date in another format',
      () => t.api('secretariat').post('/panel-meetings', { date: '15/04/2026' }),
      422,
      { field: 'date', message: /YYYY-MM-DD/ },
    ],
    [
      'notified in the future',
      () => t.api('kent').post('/reviews', { pseudonym: 'Z', notifiedOn: '2030-01-01' }),
      422,
      { field: 'notifiedOn', message: /future/ },
    ],
    [
      'year of death as text',
      () => t.api('kent').post('/reviews', { pseudonym: 'Z', yearOfDeath: '2020' }),
      422,
      { field: 'yearOfDeath' },
    ],
    ['no pseudonym', () => t.api('kent').post('/reviews', {}), 422, { field: 'pseudonym', message: /required/ }],
    ['array body', () => t.api('secretariat').event(id, [] as unknown as object), 422, { field: 'body' }],
  ];

  it.each(cases)('%s', async (_name, send, status, expected) => {
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBe(status);
    if (expected.field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(expected.field);
    if (expected.message)
      expect(res.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(expected.message);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 400 to malformed JSON and 415 to a body that is not JSON', async () => {
    const before = await snapshot();
    const auth = { Authorization: `Bearer ${t.tokens.secretariat}` };
    const broken = await request(t.app)
      .post(`/api/v1/reviews/${id}/events`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"type": "SUBMIT"');
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: 'The request body is not valid JSON' });
    const form = await request(t.app).post(`/api/v1/reviews/${id}/events`).set(auth).type('form').send('type=SUBMIT');
    expect(form.status).toBe(415);
    expect(form.body.error).toMatch(/Content-Type: application\/json/);
    const huge = await request(t.app)
      .post(`/api/v1/reviews/${id}/events`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ type: 'PAUSE', category: 'other', reason: 'x'.repeat(2_000_000) }));
    expect(huge.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 404 for ids that are not ids and for unknown endpoints, without detail', async () => {
    expect((await t.api('secretariat').get('/reviews/abc')).status).toBe(404);
    expect((await t.api('secretariat').get('/reviews/0')).status).toBe(404);
    expect((await t.api('secretariat').get('/reviews/99999')).body).toEqual({ error: 'No review with this id' });
    expect((await t.api('secretariat').get('/nothing-here')).status).toBe(404);
  });
});

describe('conflicts', () => {
  it('refuses an event the lifecycle does not allow now with 409 and a reason', async () => {
    const before = await snapshot();
    const res = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'SEND_LETTER is not possible while the review is submitted' });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a stale expectedVersion with 409 and accepts the current one', async () => {
    // A review of its own, so that scheduling it leaves the shared one submitted.
    const own = await submittedReview(t, 'Stale');
    const m = await meeting(t);
    const { version } = (await t.api('secretariat').get(`/reviews/${own}`)).body;
    const before = await snapshot();
    const stale = await t
      .api('secretariat')
      .event(own, { type: 'SCHEDULE', meetingId: m, expectedVersion: version - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/changed since you read it/);
    expect(await snapshot()).toEqual(before);
    const fresh = await t.api('secretariat').event(own, { type: 'SCHEDULE', meetingId: m, expectedVersion: version });
    expect(fresh.status).toBe(200);
    expect(fresh.body.version).toBe(version + 1);
  });

  it('refuses an item that is not in the current round', async () => {
    const res = await t.api('secretariat').event(id, { type: 'ACCEPT_ITEM', itemId: 12345 });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('itemId');
  });
});

describe('documents', () => {
  it('accepts PDF, DOCX and ODT, recognised by content, and serves them back', async () => {
    const odtType = 'application/vnd.oasis.opendocument.text';
    const results = [
      await t.api('kent').upload(id, 'chronology', pdf('chronology'), 'Chronology.pdf'),
      await t.api('kent').upload(id, 'other', docx('Letter from the family'), 'letter from family'),
      await t.api('kent').upload(id, 'other', odt('Notes'), 'notes.odt'),
    ];
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(results.map((r) => r.body.contentType)).toEqual([
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      odtType,
    ]);
    expect(results[1]!.body.filename).toBe('letter from family.docx');

    const download = await t.api('kent').get(`/reviews/${id}/documents/${results[0]!.body.id}`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="?Chronology.pdf"?$/);
    expect(Buffer.compare(download.body, pdf('chronology'))).toBe(0);
  });

  it('refuses other files, oversized files, unknown kinds and missing files, storing nothing', async () => {
    const before = await snapshot();
    const fake = await t.api('kent').upload(id, 'other', Buffer.from('%PDF-1.7 but really just text'), 'fake.pdf');
    expect(fake.status).toBe(422);
    expect(fake.body.errors).toEqual([{ field: 'file', message: 'must be a PDF, DOCX or ODT document' }]);
    const exe = await t.api('kent').upload(id, 'other', Buffer.from('MZ\u0090\u0000binary'), 'report.pdf');
    expect(exe.status).toBe(422);
    const big = await t.api('kent').upload(id, 'other', Buffer.alloc(2 * 1024 * 1024, 1), 'big.pdf');
    expect(big.status).toBe(422);
    expect(big.body.errors).toEqual([{ field: 'file', message: 'must be at most 1 MB' }]);
    const kind = await t.api('kent').upload(id, 'photo', pdf(), 'a.pdf');
    expect(kind.body.errors[0].field).toBe('kind');
    const none = await request(t.app)
      .post(`/api/v1/reviews/${id}/documents`)
      .set('Authorization', `Bearer ${t.tokens.kent}`)
      .field('kind', 'other');
    expect(none.status).toBe(422);
    expect(none.body.errors).toEqual([{ field: 'file', message: 'choose a file to upload' }]);
    expect(await snapshot()).toEqual(before);
  });

  it('records each upload in the history without its content', async () => {
    const { history } = (await t.api('secretariat').get(`/reviews/${id}`)).body;
    const uploads = history.filter((h: { type: string }) => h.type === 'ATTACH_DOCUMENT');
    expect(uploads.length).toBeGreaterThanOrEqual(3);
    const stored = await t.db('review_events').where({ review_id: id, type: 'ATTACH_DOCUMENT' }).first('payload');
    expect(Object.keys(stored.payload).sort()).toEqual(['filename', 'kind', 'size']);
  });
});

describe('health', () => {
  it('reports liveness without the database and readiness with it', async () => {
    expect((await request(t.app).get('/health')).body).toEqual({ status: 'ok' });
    expect((await request(t.app).get('/ready')).body).toEqual({ status: 'ready' });
  });
});
