import fc from 'fast-check';
import request from 'supertest';
import { classifyDocument } from '../../src/services/documentTypes';
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
 * about the file, and nothing is stored.
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
});
