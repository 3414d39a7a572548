import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import PDFDocument from 'pdfkit';
import request from 'supertest';
import { classifyDocument, createUploadGate, examineDocument, UPLOAD_LIMITS } from '../../src/services/documentTypes';
import {
  createTestApp,
  hackneyRecommendations,
  meeting,
  metPoliceAgency,
  PASSWORD,
  pdf,
  submittedReview,
  type TestApp,
} from '../helpers/app';
import { fingerprint } from '../helpers/fingerprint';
import { csrfOf, signedIn } from '../helpers/web';
import { docx, docxParts, odt, zip } from '../helpers/zip';

/**
 * Files pretending to be documents, oversized files and zip bombs dressed as
 * DOCX, sent through every way a document arrives (the API and the pages, review
 * documents and evidence of an action's progress): each is refused with a message
 * about the file, and nothing is stored. So are forms cut short and uploads past a
 * user's limits; file names keep their characters.
 */

let t: TestApp;
let notified: number;
let revising: number;
let actionId: number;
let agencyToken: string;
let agencyAgent: ReturnType<typeof request.agent>;
let kent: Awaited<ReturnType<typeof signedIn>>;

const AGENCY_EMAIL = 'met@test.example';

beforeAll(async () => {
  t = await createTestApp();
  notified = (await t.api('kent').post('/reviews', { pseudonym: 'Notified' })).body.id;

  // A review whose letter asked for a resubmission: the CSP uploads its revised report.
  revising = await submittedReview(t, 'Revising');
  const meetingId = await meeting(t);
  await t.api('secretariat').event(revising, { type: 'SCHEDULE', meetingId });
  await t.api('panel').event(revising, {
    type: 'RECORD_OUTCOME',
    outcome: 'resubmit',
    commendations: '',
    areas: [{ text: 'Speak to the family.' }],
  });
  const sent = await t.api('secretariat').event(revising, { type: 'SEND_LETTER' });
  expect(sent.body.state).toBe('revising');

  // An agency action, to which progress updates carry evidence documents.
  await hackneyRecommendations(t);
  agencyToken = (await metPoliceAgency(t, AGENCY_EMAIL)).token;
  const [first] = (await request(t.app).get('/api/v1/recommendations').set('Authorization', `Bearer ${agencyToken}`))
    .body;
  const linkId = first.agencies[0].id;
  await request(t.app)
    .post(`/api/v1/recommendation-agencies/${linkId}/response`)
    .set('Authorization', `Bearer ${agencyToken}`)
    .send({ response: 'accepted' });
  actionId = (
    await request(t.app)
      .post(`/api/v1/recommendation-agencies/${linkId}/actions`)
      .set('Authorization', `Bearer ${agencyToken}`)
      .send({ description: 'Retrain supervisors', owner: 'Training lead', targetDate: '2026-12-31' })
  ).body.id;
  expect(actionId).toEqual(expect.any(Number));

  kent = await signedIn(t, 'kent');
  agencyAgent = request.agent(t.app);
  const signIn = await agencyAgent.get('/sign-in');
  await agencyAgent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(signIn.text), email: AGENCY_EMAIL, password: PASSWORD, next: '/' });
  // Sending a letter renders its PDF: slow on a busy machine.
}, 120_000);
afterAll(() => t.close());

/** Every way a document is uploaded, each answering with the service's response. */
const CHANNELS: [string, (bytes: Buffer, filename: string) => Promise<request.Response>][] = [
  ['the API, as a review document', (bytes, filename) => t.api('kent').upload(notified, 'other', bytes, filename)],
  [
    'the API, as evidence of progress',
    (bytes, filename) =>
      request(t.app)
        .post(`/api/v1/actions/${actionId}/updates`)
        .set('Authorization', `Bearer ${agencyToken}`)
        .field('on', '2026-03-10')
        .field('text', 'Course delivered')
        .attach('file', bytes, filename),
  ],
  [
    "the review page's upload form",
    async (bytes, filename) => {
      await kent.get(`/reviews/${notified}`);
      return kent.agent
        .post(`/reviews/${notified}/documents`)
        .field('_csrf', kent.token)
        .field('kind', 'other')
        .attach('file', bytes, filename);
    },
  ],
  [
    'the revised report form',
    async (bytes, filename) => {
      await kent.get(`/reviews/${revising}/items`);
      return kent.agent
        .post(`/reviews/${revising}/revised-report`)
        .field('_csrf', kent.token)
        .attach('file', bytes, filename);
    },
  ],
  [
    "the agency's progress update form",
    async (bytes, filename) => {
      const page = await agencyAgent.get('/recommendations');
      return agencyAgent
        .post(`/actions/${actionId}/updates`)
        .field('_csrf', csrfOf(page.text))
        .field('on', '2026-03-10')
        .field('text', 'Course delivered')
        .attach('file', bytes, filename);
    },
  ],
];

const NOT_A_DOCUMENT = 'must be a PDF, DOCX or ODT document';
const DAMAGED = 'is damaged or incomplete: its zip directory does not match its contents';
const ZIP_BOMB = 'is compressed far more than a real document can be (over 100 to 1), so it may be a zip bomb';
const UNREADABLE = 'The upload could not be read: the form was incomplete or not sent as a file upload.';

const realDocx = docx('The overview report');
const zeros = Buffer.alloc(50 * 1024 * 1024);
const withEndOfDirectoryOffset = (bytes: Buffer, offset: number) => {
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(offset, copy.length - 6);
  return copy;
};

/**
 * The trick of the non-recursive zip bombs: a part whose stored bytes hold another
 * part's header, so the directory lists both while the file holds the bytes once.
 */
function overlappingParts(): Buffer {
  const hidden = zip([{ name: 'word/media/b.bin', data: 'x', store: true }]);
  const hiddenLocal = hidden.subarray(0, 30 + 'word/media/b.bin'.length + 1);
  const outer = [...docxParts('x'), { name: 'word/media/a.bin', data: hiddenLocal, store: true }];
  const offset = zip(outer).indexOf(hiddenLocal);
  return zip([...outer, { name: 'word/media/b.bin', data: 'x', store: true, offset }]);
}

/** A part whose headers say it holds 1,000 bytes, which inflates to 199 MB: about 200 KB on the wire. */
function understatedBomb(): Buffer {
  const bytes = zip([
    ...docxParts('x'),
    { name: 'word/media/image1.png', data: Buffer.alloc(199 * 1024 * 1024), declaredSize: 1000 },
  ]);
  expect(bytes.length).toBeLessThan(250 * 1024);
  return bytes;
}

/** The tester's fake: an HTML page between a PDF header and a made-up trailer. */
const FAKE_PDF = Buffer.from(
  '%PDF-1.4\n<html><body><h1>Overview report</h1><script>alert(document.cookie)</script></body></html>\nstartxref\n0\n%%EOF\n',
);

/** 150 parts just under 1 MB of zeros each: no part is judged alone, the archive is 1000 to 1. */
function manySmallBombs(): Buffer {
  const justUnder1MB = Buffer.alloc(1024 * 1024 - 1);
  return zip([
    ...docxParts('x'),
    ...Array.from({ length: 150 }, (_, i) => ({ name: `word/media/p${i}.bin`, data: justUnder1MB })),
  ]);
}

/** [what it is, its bytes, the name it was given, what the user is told]. */
const HOSTILE: [string, Buffer, string, string][] = [
  ['a text file renamed .pdf', Buffer.from('Minutes of the panel meeting\n'), 'minutes.pdf', NOT_A_DOCUMENT],
  ['a PDF cut short (no end-of-file marker)', pdf('cut').subarray(0, 300), 'report.pdf', NOT_A_DOCUMENT],
  [
    'an HTML page behind a %PDF- line',
    Buffer.from('%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n'),
    'report.pdf',
    NOT_A_DOCUMENT,
  ],
  ['a program renamed .docx', Buffer.from('MZ\u0090\u0000\u0003 binary'), 'report.docx', NOT_A_DOCUMENT],
  [
    'a zip bomb dressed as a DOCX (50 MB of zeros in 50 KB)',
    zip([...docxParts('x'), { name: 'word/media/image1.png', data: zeros }]),
    'report.docx',
    'is compressed far more than a real document can be (over 100 to 1), so it may be a zip bomb',
  ],
  [
    'a DOCX claiming a 3 GB part',
    zip([...docxParts('x'), { name: 'word/media/image1.png', data: 'tiny', declaredSize: 3e9 }]),
    'report.docx',
    'expands to more than 200 MB when opened, so it may be damaged or not a real document',
  ],
  [
    'a DOCX with 10,001 parts',
    zip([...docxParts('x'), ...Array.from({ length: 9998 }, (_, i) => ({ name: `p${i}`, data: '', store: true }))]),
    'report.docx',
    'holds more than 10,000 parts, so it is not a real document',
  ],
  ['a DOCX cut short', realDocx.subarray(0, realDocx.length - 40), 'report.docx', DAMAGED],
  ['a DOCX whose directory points at the wrong place', withEndOfDirectoryOffset(realDocx, 7), 'report.docx', DAMAGED],
  ['a DOCX whose parts overlap (a non-recursive zip bomb)', overlappingParts(), 'report.docx', DAMAGED],
  [
    'a DOCX whose directory and parts disagree',
    zip([...docxParts('x'), { name: 'word/media/image1.png', data: 'x', offset: 0 }]),
    'report.docx',
    DAMAGED,
  ],
  [
    'a DOCX naming a part twice',
    zip([...docxParts('x'), { name: 'word/document.xml', data: '<other/>' }]),
    'report.docx',
    DAMAGED,
  ],
  [
    'a real DOCX inside a zip',
    zip([{ name: 'report.docx', data: realDocx, store: true }]),
    'report.docx',
    NOT_A_DOCUMENT,
  ],
  [
    'a DOCX whose main part is another zip',
    zip([
      ...docxParts('x').filter((p) => p.name !== 'word/document.xml'),
      { name: 'word/document.xml', data: realDocx, store: true },
    ]),
    'report.docx',
    "holds another zip archive where the document's text should be, so it is not a real document",
  ],
  [
    'a password-protected zip',
    zip(docxParts('x').map((p) => ({ ...p, flags: 1 }))),
    'report.docx',
    'is password-protected: remove the password and upload it again',
  ],
  ['an empty zip', zip([]), 'report.docx', NOT_A_DOCUMENT],
  ['an HTML page between "%PDF-1.4" and a made-up "startxref 0 %%EOF"', FAKE_PDF, 'report.pdf', NOT_A_DOCUMENT],
  [
    'a DOCX whose headers say 1,000 bytes for a part that inflates to 199 MB',
    understatedBomb(),
    'report.docx',
    DAMAGED,
  ],
  [
    'a DOCX whose headers say more than a part holds',
    zip([...docxParts('x'), { name: 'word/media/image1.png', data: 'tiny', declaredSize: 5000 }]),
    'report.docx',
    DAMAGED,
  ],
  [
    'a DOCX whose main part does not match its checksum',
    zip(docxParts('x').map((p) => (p.name === 'word/document.xml' ? { ...p, declaredCrc: 0x1234 } : p))),
    'report.docx',
    DAMAGED,
  ],
  ['a DOCX of 150 small zip bombs (150 MB of zeros in 150 KB)', manySmallBombs(), 'report.docx', ZIP_BOMB],
];

/** A PDF that opens only with its password (PDFKit's RC4/AES encryption). */
const passwordPdf = () =>
  new Promise<Buffer>((resolve) => {
    const doc = new PDFDocument({ userPassword: 'secret', pdfVersion: '1.7' });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.text('Overview report');
    doc.end();
  });

const NON_ASCII_NAME = 'Children’s report – Ŵ.pdf';

/** The name under which the last upload through a channel was stored. */
async function lastStoredName(channel: string): Promise<string> {
  if (channel.includes('progress')) {
    return (await t.db('action_updates').orderBy('id', 'desc').first('evidence_filename')).evidence_filename;
  }
  return (await t.db('documents').orderBy('id', 'desc').first('filename')).filename;
}

/** A multipart body by hand, with `fields` then a file part whose data may be cut short (no closing boundary). */
function multipartBody(boundary: string, fields: Record<string, string>, file: Buffer, close: boolean): Buffer {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return Buffer.concat([
    Buffer.from(
      parts.join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="report.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    file,
    Buffer.from(close ? `\r\n--${boundary}--\r\n` : ''),
  ]);
}

/** Each upload route, sent a raw body with the given Content-Type (and, for the pages, the form's token). */
const RAW_CHANNELS: [
  string,
  (contentType: string, body: (fields: Record<string, string>) => Buffer) => Promise<request.Response>,
][] = [
  [
    'the API, as a review document',
    (type, body) =>
      request(t.app)
        .post(`/api/v1/reviews/${notified}/documents`)
        .set('Authorization', `Bearer ${t.tokens.kent}`)
        .set('Content-Type', type)
        .send(body({ kind: 'other' })),
  ],
  [
    'the API, as evidence of progress',
    (type, body) =>
      request(t.app)
        .post(`/api/v1/actions/${actionId}/updates`)
        .set('Authorization', `Bearer ${agencyToken}`)
        .set('Content-Type', type)
        .send(body({ on: '2026-03-10', text: 'Course delivered' })),
  ],
  [
    "the review page's upload form",
    async (type, body) => {
      await kent.get(`/reviews/${notified}`);
      return kent.agent
        .post(`/reviews/${notified}/documents`)
        .set('Content-Type', type)
        .send(body({ _csrf: kent.token, kind: 'other' }));
    },
  ],
  [
    'the revised report form',
    async (type, body) => {
      await kent.get(`/reviews/${revising}/items`);
      return kent.agent
        .post(`/reviews/${revising}/revised-report`)
        .set('Content-Type', type)
        .send(body({ _csrf: kent.token }));
    },
  ],
  [
    "the agency's progress update form",
    async (type, body) => {
      const page = await agencyAgent.get('/recommendations');
      return agencyAgent
        .post(`/actions/${actionId}/updates`)
        .set('Content-Type', type)
        .send(body({ _csrf: csrfOf(page.text), on: '2026-03-10', text: 'Course delivered' }));
    },
  ],
];

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#x27;').replace(/"/g, '&quot;');

describe.each(CHANNELS)('uploads through %s', (channel, send) => {
  const isPage = !channel.startsWith('the API');

  it('accept a real PDF, DOCX and ODT', async () => {
    for (const [bytes, name] of [
      [pdf('real'), 'real.pdf'],
      [realDocx, 'real.docx'],
      [odt('Real'), 'real.odt'],
    ] as const) {
      const res = await send(bytes, name);
      expect([201, 302]).toContain(res.status);
    }
  });

  it.each(HOSTILE)(
    'refuse %s, saying what is wrong with the file and storing nothing',
    async (_what, bytes, name, message) => {
      const before = await fingerprint(t.db);
      const res = await send(bytes, name);
      expect(res.status).toBe(422);
      if (isPage) {
        expect(res.text).toContain('govuk-error-summary');
        expect(res.text).toContain(`<a href="#file">`);
        expect(res.text).toContain(escapeHtml(message));
      } else {
        expect(res.body).toEqual({ errors: [{ field: 'file', message }] });
      }
      expect(await fingerprint(t.db)).toEqual(before);
    },
  );

  it('refuse a password-protected PDF, saying so, and store nothing', async () => {
    const before = await fingerprint(t.db);
    const res = await send(await passwordPdf(), 'locked.pdf');
    expect(res.status).toBe(422);
    const message = 'is password-protected: remove the password and upload it again';
    if (isPage) expect(res.text).toContain(escapeHtml(message));
    else expect(res.body).toEqual({ errors: [{ field: 'file', message }] });
    expect(await fingerprint(t.db)).toEqual(before);
  });

  it('keep a file name written in UTF-8 as it was written', async () => {
    const res = await send(pdf('named'), NON_ASCII_NAME);
    expect([201, 302]).toContain(res.status);
    if (channel === 'the API, as a review document') expect(res.body.filename).toBe(NON_ASCII_NAME);
    expect(await lastStoredName(channel)).toBe(NON_ASCII_NAME);
  });

  it('refuse a file over the upload limit, saying so, and store nothing', async () => {
    const before = await fingerprint(t.db);
    const big = Buffer.concat([pdf('big'), Buffer.alloc(1024 * 1024, 0x20)]);
    const res = await send(big, 'big.pdf');
    expect(res.status).toBe(422);
    if (isPage) {
      expect(res.text).toContain('There is a problem with the file');
      expect(res.text).toContain('it is larger than 1 MB, the most a document may be');
    } else {
      expect(res.body).toEqual({ errors: [{ field: 'file', message: 'must be at most 1 MB' }] });
    }
    expect(await fingerprint(t.db)).toEqual(before);
  });
});

describe.each(RAW_CHANNELS)('a malformed upload through %s', (channel, send) => {
  const isPage = !channel.startsWith('the API');
  const expectUnreadable = (res: request.Response) => {
    expect(res.status).toBe(400);
    if (isPage) expect(res.text).toContain(escapeHtml(UNREADABLE));
    else expect(res.body.error).toContain(UNREADABLE);
  };

  it('is refused with a 400 when the form is cut short, and nothing is stored', async () => {
    const before = await fingerprint(t.db);
    const res = await send('multipart/form-data; boundary=XyZ123', (fields) =>
      multipartBody('XyZ123', fields, pdf('cut').subarray(0, 200), false),
    );
    expectUnreadable(res);
    expect(await fingerprint(t.db)).toEqual(before);
  });

  it('is refused with a 400 when the form has no boundary, and nothing is stored', async () => {
    const before = await fingerprint(t.db);
    const res = await send('multipart/form-data', (fields) => multipartBody('XyZ123', fields, pdf('whole'), true));
    expectUnreadable(res);
    expect(await fingerprint(t.db)).toEqual(before);
  });

  it('is accepted once whole (the bodies above are refused for their form alone)', async () => {
    const res = await send('multipart/form-data; boundary=XyZ123', (fields) =>
      multipartBody('XyZ123', fields, pdf('whole'), true),
    );
    expect([201, 302]).toContain(res.status);
  });
});

describe("a user's uploads", () => {
  /** An API upload by `who` to the notified review, of bytes that are refused (422) once read. */
  const junk = (who: 'kent' | 'secretariat', size = 100) =>
    t.api(who).upload(notified, 'other', Buffer.alloc(size, 0x20), 'notes.pdf');

  it('are read two at a time: a third waits, told so with a 429 and Retry-After, and is not stored', async () => {
    const server = t.app.listen(0);
    const { port } = server.address() as AddressInfo;
    /** An upload by Kent that starts and then hangs, as on a slow connection; `answered` if it was turned away. */
    const hang = () => {
      const hanging = {
        req: http.request({ port, method: 'POST', path: `/api/v1/reviews/${notified}/documents` }),
        answered: false,
      };
      hanging.req.setHeader('authorization', `Bearer ${t.tokens.kent}`);
      hanging.req.setHeader('content-type', 'multipart/form-data; boundary=XyZ123');
      hanging.req.setHeader('content-length', 500_000);
      hanging.req.on('error', () => {});
      hanging.req.on('response', () => (hanging.answered = true));
      hanging.req.write(multipartBody('XyZ123', { kind: 'other' }, pdf('slow').subarray(0, 100), false));
      return hanging;
    };
    let held = [hang(), hang()];
    try {
      // A third upload (to a route Kent may not use: 403, nothing stored) gets through until both are being read.
      let third: request.Response | undefined;
      for (let i = 0; i < 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        third = await request(t.app)
          .post(`/api/v1/actions/${actionId}/updates`)
          .set('Authorization', `Bearer ${t.tokens.kent}`)
          .field('on', '2026-03-10')
          .attach('file', pdf('third'), 'third.pdf');
        if (third.status === 429 && held.every((h) => !h.answered)) break;
        // One arrived after the third and was the one turned away: start it again.
        held = held.map((h) => (h.answered ? (h.req.destroy(), hang()) : h));
      }
      expect(third!.status).toBe(429);

      const before = await fingerprint(t.db);
      const api = await t.api('kent').upload(notified, 'other', pdf('third'), 'third.pdf');
      expect(api.status).toBe(429);
      expect(api.headers['retry-after']).toBe('10');
      expect(api.body.error).toBe(
        'You are already uploading 2 documents. Wait until they have finished, then try again.',
      );
      // The pages share the count: the same person, another way in.
      await kent.get(`/reviews/${notified}`);
      const page = await kent.agent
        .post(`/reviews/${notified}/documents`)
        .field('_csrf', kent.token)
        .field('kind', 'other')
        .attach('file', pdf('third'), 'third.pdf');
      expect(page.status).toBe(429);
      expect(page.headers['retry-after']).toBe('10');
      expect(page.text).toContain('You are already uploading 2 documents.');
      expect(await fingerprint(t.db)).toEqual(before);

      // Someone else uploads as usual.
      expect((await t.api('secretariat').upload(notified, 'other', pdf('other user'), 'other.pdf')).status).toBe(201);
    } finally {
      for (const h of held) h.req.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
    // Once the hanging uploads are gone, their places are free.
    let after: request.Response | undefined;
    for (let i = 0; i < 100 && after?.status !== 201; i++) {
      after = await t.api('kent').upload(notified, 'other', pdf('after'), 'after.pdf');
      if (after.status !== 201) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(after!.status).toBe(201);
  });

  it('are limited to 30 of the largest size in 10 minutes, with a 429 and Retry-After, storing nothing more', async () => {
    t.clock.advance(UPLOAD_LIMITS.windowMs);
    const almostFull = 1024 * 1024 - 1024;
    for (let i = 0; i < UPLOAD_LIMITS.fullSizeUploadsInWindow; i++) {
      expect((await junk('secretariat', almostFull)).status).toBe(422);
    }
    const secretariat = await signedIn(t, 'secretariat');
    await secretariat.get(`/reviews/${notified}`);
    const before = await fingerprint(t.db);
    const refused = await t.api('secretariat').upload(notified, 'other', pdf('one more'), 'more.pdf');
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    expect(refused.body.error).toBe(
      `You have uploaded as much as may be uploaded in 10 minutes. Try again in ${Math.ceil(wait / 60)} minutes.`,
    );
    const page = await secretariat.agent
      .post(`/reviews/${notified}/documents`)
      .field('_csrf', secretariat.token)
      .field('kind', 'other')
      .attach('file', pdf('one more'), 'more.pdf');
    expect(page.status).toBe(429);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.text).toContain('You have uploaded as much as may be uploaded in 10 minutes.');
    expect(await fingerprint(t.db)).toEqual(before);

    // Others are not held back, and once the window has passed the same user may upload again.
    expect((await t.api('kent').upload(notified, 'other', pdf('kent'), 'kent.pdf')).status).toBe(201);
    t.clock.advance(UPLOAD_LIMITS.windowMs);
    expect((await t.api('secretariat').upload(notified, 'other', pdf('later'), 'later.pdf')).status).toBe(201);
  });

  it('count small files too, each as a twentieth of the largest size', () => {
    let now = 0;
    const gate = createUploadGate({ now: () => new Date(now) }, 1000);
    for (let i = 0; i < 600; i++) gate.admit('a', 10)();
    expect(() => gate.admit('a', 10)).toThrow('You have uploaded as much as may be uploaded in 10 minutes');
    now += UPLOAD_LIMITS.windowMs + 1;
    expect(() => gate.admit('a', 10)()).not.toThrow();
  });

  it('are read at most 8 at a time in the process, whoever sends them', () => {
    const gate = createUploadGate({ now: () => new Date(0) }, 1000);
    const releases = [1, 2, 3, 4].flatMap((user) => [gate.admit(`u${user}`, 10), gate.admit(`u${user}`, 10)]);
    expect(() => gate.admit('u5', 10)).toThrow('The service is receiving many documents just now');
    releases[0]!();
    expect(() => gate.admit('u5', 10)).not.toThrow();
  });
});

describe('reading a file that may be anything', () => {
  const seed = Number(process.env.FC_SEED ?? 20261122);
  const base = [realDocx, odt('Real'), pdf('real'), overlappingParts()];

  it('never fails, whatever the bytes: every damaged or random file gets an answer', () => {
    // Real documents with bytes changed, cut short or extended: the answers a reader must give without crashing.
    const damaged = fc
      .tuple(
        fc.constantFrom(...base),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 64 }),
      )
      .map(([bytes, flips, cut, tail]) => {
        const copy = Buffer.from(bytes);
        for (const [at, value] of flips) copy[at % copy.length] = value;
        return Buffer.concat([copy.subarray(0, copy.length - (cut % 64)), Buffer.from(tail)]);
      });
    const anyBytes = fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.oneof(damaged, anyBytes), (bytes) => {
        const answer = classifyDocument(bytes);
        expect('problem' in answer ? typeof answer.problem : answer.contentType).toEqual(expect.any(String));
      }),
      { seed, numRuns: 3000 },
    );
  });

  it('never fails when examined as an upload either (PDFs opened by PDF.js)', async () => {
    const damaged = fc
      .tuple(fc.constantFrom(...base), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }))
      .map(([bytes, flips]) => {
        const copy = Buffer.from(bytes);
        for (const [at, value] of flips) copy[at % copy.length] = value;
        return copy;
      });
    await fc.assert(
      fc.asyncProperty(damaged, async (bytes) => {
        const answer = await examineDocument(bytes);
        expect('problem' in answer ? typeof answer.problem : answer.contentType).toEqual(expect.any(String));
      }),
      { seed, numRuns: 300 },
    );
  }, 60_000);

  it.each(HOSTILE)(
    'refuses %s the same way without the upload parser (demo data)',
    async (_what, bytes, _n, message) => {
      // Fresh copies: a verdict is kept for the very bytes examined.
      expect(classifyDocument(Buffer.from(bytes))).toEqual({ problem: message });
      expect(await examineDocument(Buffer.from(bytes))).toEqual({ problem: message });
    },
  );

  it('lets the event loop run while a 19 MB DOCX is examined', async () => {
    // Pictures are already compressed: random bytes stand for them. 15 parts of 1 MB and one of 4 MB.
    const images = Array.from({ length: 15 }, (_, i) => ({
      name: `word/media/image${i}.png`,
      data: crypto.randomBytes(1024 * 1024),
    }));
    const big = zip([...docxParts('x'), ...images, { name: 'word/media/big.png', data: crypto.randomBytes(4 << 20) }]);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    try {
      expect(await examineDocument(big)).toMatchObject({ extension: 'docx' });
    } finally {
      clearInterval(ticking);
    }
    expect(turns).toBeGreaterThan(2);
  });
});
