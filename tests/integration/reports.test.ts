import { PDFParse } from 'pdf-parse';
import request from 'supertest';
import { createTestApp, PASSWORD, reviewAt, type TestApp } from '../helpers/app';
import { HACKNEY_NUMBERS, seed } from '../helpers/seeds';
import { csrfOf, signedIn } from '../helpers/web';
import { textsOf } from '../helpers/page';

const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
const MPS = seed('mps-response-to-ipcc-recommendations.txt');
/** The MPS's reason for rejecting the IPCC's call-handling recommendation, as it wrote it. */
const REJECTION = MPS.split('\n').find((line) => line.startsWith('This recommendation is rejected'))!;

let t: TestApp;
let reviewId: number;
let metOrg: number;
const tokens: Record<string, string> = {};
const links: Record<string, number> = {};

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const pdfText = async (pdf: Buffer) => {
  const parser = new PDFParse({ data: pdf });
  try {
    return squash((await parser.getText()).text);
  } finally {
    await parser.destroy();
  }
};
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** An API client for an agency user signed in by email. */
const agency = (email: string) => ({
  get: (url: string) => request(t.app).get(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[email]}`),
  post: (url: string, body: object) =>
    request(t.app).post(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[email]}`).send(body),
});
const met = () => agency('met@test.example');

async function agencyUser(email: string, organisationName: string) {
  const key = organisationName.toLowerCase().replace(/[^a-z0-9]+/g, '');
  let org = await t.db('organisations').where({ name_key: key }).first('id');
  if (!org) [org] = await t.db('organisations').insert({ name: organisationName, name_key: key }).returning('id');
  await t.services.accounts.createUser({
    email,
    name: `${organisationName} lead`,
    role: 'agency',
    organisationId: org.id,
    password: PASSWORD,
  });
  tokens[email] = (await request(t.app).post('/api/v1/session').send({ email, password: PASSWORD })).body.token;
  return org.id as number;
}

/** A browser-like agent signed in through the sign-in form as an agency user. */
async function agencyBrowser(email: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in');
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' });
  expect(res.status).toBe(302);
  return agent;
}

/**
 * A fresh app with the Hackney review's recommendations imported, two of them themed, and the
 * MPS's answers to two: recommendation 1 accepted, with an overdue action, and IPCC.2 rejected.
 * Each block below starts from its own, as the last one answers another recommendation.
 */
async function hackneyWorld() {
  t = await createTestApp();
  reviewId = await reviewAt(t, t.ids.hackneyCsp, 'published', 'Hackney review');
  const saved = await t
    .api('hackney')
    .post(`/reviews/${reviewId}/recommendations/import`, { format: 'text', content: HACKNEY, dryRun: false });
  expect(saved.body.saved).toBe(true);
  // Themes as a person would confirm them; the rest have none and are reported under "Other".
  const theme = (number: string, themes: string[]) =>
    t
      .db('recommendations')
      .where({ review_id: reviewId, number })
      .update({ themes: JSON.stringify(themes) });
  await theme('1', ['Risk assessment', 'Policing']);
  await theme('IPCC.2', ['Training']);

  metOrg = await agencyUser('met@test.example', 'Metropolitan Police Service');
  for (const r of (await met().get('/recommendations')).body) links[r.number] = r.agencies[0].id;

  // Accepted, with an action already past its target date and two progress updates.
  expect((await met().post(`/recommendation-agencies/${links['1']}/response`, { response: 'accepted' })).status).toBe(
    204,
  );
  const action = await met().post(`/recommendation-agencies/${links['1']}/actions`, {
    description: 'Update the DASH prompts in the mobile 124D',
    owner: 'Head of Public Protection',
    targetDate: '2026-02-27',
  });
  expect(action.status).toBe(201);
  await met().post(`/actions/${action.body.id}/updates`, { on: '2026-02-01', text: 'First draft circulated' });
  await met().post(`/actions/${action.body.id}/updates`, { on: '2026-03-01', text: 'Prompts drafted and tested' });
  // Not accepted, with the reason the MPS gave the IPCC.
  expect(
    (
      await met().post(`/recommendation-agencies/${links['IPCC.2']}/response`, {
        response: 'not_accepted',
        rationale: REJECTION,
      })
    ).status,
  ).toBe(204);
}

describe('the progress report on a review', () => {
  beforeAll(hackneyWorld);
  afterAll(() => t.close());

  it('opens with the date, the review and the overall figures', async () => {
    const res = await t.api('hackney').get(`/reviews/${reviewId}/recommendations/report`);
    expect(res.status).toBe(200);
    const text = squash(res.body.text);
    const reference = (await t.api('hackney').get(`/reviews/${reviewId}`)).body.reference;
    expect(res.body.title).toBe(`Progress on the recommendations of ${reference} (Hackney review)`);
    expect(text).toContain(
      `This report, dated 2 March 2026, is for Hackney CSP and its oversight board. It sets out the progress made on the recommendations of the Domestic Homicide Review ${reference} (Hackney review).`,
    );
    expect(text).toContain(
      'In summary: 17 recommendations, 2 responded to, 1 accepted (in full or in part), 0 implemented, and 1 overdue action.',
    );
  });

  it('groups the recommendations by theme, with "Other" for those without one, last', async () => {
    const { html } = (await t.api('secretariat').get(`/reviews/${reviewId}/recommendations/report`)).body;
    const headings = textsOf(html, 'h2').slice(1);
    expect(headings).toEqual(['Risk assessment', 'Training', 'Policing', 'Other']);
    const section = (name: string) => {
      const start = html.indexOf(`<h2>${name}</h2>`);
      const next = html.indexOf('<h2>', start + 1);
      return html.slice(start, next === -1 ? undefined : next);
    };
    const numbersIn = (name: string) =>
      textsOf(section(name), 'strong').flatMap((text) => /^Recommendation (.+)$/.exec(text)?.[1] ?? []);
    expect(numbersIn('Risk assessment')).toEqual(['1']);
    expect(numbersIn('Policing')).toEqual(['1']);
    expect(numbersIn('Training')).toEqual(['IPCC.2']);
    expect(numbersIn('Other')).toEqual(HACKNEY_NUMBERS.filter((n) => n !== '1' && n !== 'IPCC.2'));
  });

  it('reports each agency: response, actions with owner, target and status, the latest update, implemented or not', async () => {
    const text = squash((await t.api('metPcc').get(`/reviews/${reviewId}/recommendations/report`)).body.text);
    expect(text).toContain(
      'Metropolitan Police Service Response: Accepted ' +
        '• Action: Update the DASH prompts in the mobile 124D Owner: Head of Public Protection. ' +
        'Target date: 27 February 2026. Status: Not started (overdue). ' +
        'Latest update, 1 March 2026: Prompts drafted and tested Implemented: No',
    );
    expect(text).not.toContain('First draft circulated');
    expect(text).toContain(`Metropolitan Police Service Response: Not accepted ${squash(REJECTION)}`);
    expect(text).toContain('Implemented: No (not accepted)');
    // Recommendation 5 is addressed to two bodies; neither has answered.
    expect(text).toMatch(
      /Recommendation 5 Research should be commissioned .*? College of Policing Response: None yet Implemented: No \(no response yet\) Metropolitan Police Service Response: None yet/,
    );
  });

  it('is laid out as a PDF that holds every recommendation', async () => {
    const res = await t
      .api('hackney')
      .get(`/reviews/${reviewId}/recommendations/report?format=pdf`)
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/recommendations progress report\.pdf/);
    const text = await pdfText(res.body);
    for (const number of HACKNEY_NUMBERS) expect(text).toContain(`Recommendation ${number}`);
    expect(text).toContain('17 recommendations, 2 responded to, 1 accepted');
    expect(text).toContain('Latest update, 1 March 2026: Prompts drafted and tested');
  });

  it('answers in the format asked for, and refuses an unknown one', async () => {
    const html = await t.api('hackney').get(`/reviews/${reviewId}/recommendations/report?format=html`);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<article class="letter report">/);
    const text = await t.api('hackney').get(`/reviews/${reviewId}/recommendations/report?format=text`);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.text).toContain('Recommendation IPCC.2');
    const bad = await t.api('hackney').get(`/reviews/${reviewId}/recommendations/report?format=docx`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('format');
  });

  it('is kept to those who can see the review', async () => {
    for (const who of ['kent', 'kentPcc'] as const) {
      expect((await t.api(who).get(`/reviews/${reviewId}/recommendations/report`)).status).toBe(404);
      expect((await t.api(who).get(`/reviews/${reviewId}/recommendations/report?format=pdf`)).status).toBe(404);
    }
    expect((await t.api('panel').get(`/reviews/${reviewId}/recommendations/report`)).status).toBe(200);
    // An agency sees its own recommendations, never a review's whole report.
    expect((await met().get(`/reviews/${reviewId}/recommendations/report`)).status).toBe(404);
  });

  it('is a page with the report in a letter panel and a link to the PDF', async () => {
    const hackney = await signedIn(t, 'hackney');
    const list = await hackney.get(`/reviews/${reviewId}/recommendations`);
    expect(list.text).toContain(`href="/reviews/${reviewId}/recommendations/report"`);
    const page = await hackney.get(`/reviews/${reviewId}/recommendations/report`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div class="app-letter">');
    expect(page.text).toContain('<article class="letter report">');
    expect(page.text).toContain(`href="/reviews/${reviewId}/recommendations/report.pdf"`);
    const pdf = await hackney.agent.get(`/reviews/${reviewId}/recommendations/report.pdf`).buffer(true).parse(binary);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(await pdfText(pdf.body)).toContain('Recommendation Panel.179');
    const kent = await signedIn(t, 'kent');
    expect((await kent.get(`/reviews/${reviewId}/recommendations/report`)).status).toBe(404);
    expect((await kent.get(`/reviews/${reviewId}/recommendations/report.pdf`)).status).toBe(404);
  });
});

describe("an agency's response document", () => {
  beforeAll(hackneyWorld);
  afterAll(() => t.close());

  it('answers each recommendation addressed to it as the MPS answered the IPCC', async () => {
    const res = await met().get(`/reviews/${reviewId}/recommendations/response`);
    expect(res.status).toBe(200);
    const reference = (await t.api('hackney').get(`/reviews/${reviewId}`)).body.reference;
    const text = squash(res.body.text);
    expect(text).toContain(
      `The Domestic Homicide Review ${reference} (Hackney review), carried out for Hackney CSP, addressed 15 recommendations to Metropolitan Police Service. These are its responses.`,
    );
    expect(text).toMatch(
      /Recommendation 1 The MPS should ensure .*? Accepted: Yes Response: • Action: Update the DASH prompts in the mobile 124D Owner: Head of Public Protection\. Target date: 27 February 2026\. Status: Not started\. Recommendation 2a/,
    );
    expect(text).toContain(
      `Recommendation IPCC.2 The IPCC recommends that part of the training regarding relaying details`,
    );
    expect(text).toMatch(/critical information if possible Accepted: No Response: This recommendation is rejected/);
    expect(text).toContain(squash(REJECTION));
    expect(text).toMatch(/Recommendation IPCC\.3 .*? Accepted: Not yet decided Response: not yet recorded\./);
    // Recommendations addressed to the MPS's Hackney borough, a body of its own, are not in it.
    expect(text).not.toContain('Recommendation 4 ');
    expect(text).not.toContain('Recommendation Panel.179');
  });

  it('is a page and a PDF for the agency, linked from its list', async () => {
    const browser = await agencyBrowser('met@test.example');
    const list = await browser.get('/recommendations');
    expect(list.text).toContain(`href="/reviews/${reviewId}/recommendations/response"`);
    expect(list.text).toContain('href="/recommendations/report"');
    const page = await browser.get(`/reviews/${reviewId}/recommendations/response`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div class="app-letter">');
    expect(page.text).toContain(`href="/reviews/${reviewId}/recommendations/response.pdf"`);
    const pdf = await browser.get(`/reviews/${reviewId}/recommendations/response.pdf`).buffer(true).parse(binary);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.body);
    expect(text).toContain('Accepted: Yes');
    expect(text).toContain('Accepted: No');
    expect(text).toContain('This recommendation is rejected');
  });

  it('can be read by those who see the review, naming the organisation', async () => {
    const res = await t.api('hackney').get(`/reviews/${reviewId}/recommendations/response?organisationId=${metOrg}`);
    expect(res.status).toBe(200);
    expect(squash(res.body.text)).toContain('Accepted: No Response: This recommendation is rejected');
    const missing = await t.api('hackney').get(`/reviews/${reviewId}/recommendations/response`);
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].field).toBe('organisationId');
    expect(
      (await t.api('kent').get(`/reviews/${reviewId}/recommendations/response?organisationId=${metOrg}`)).status,
    ).toBe(404);
    expect(
      (await t.api('kentPcc').get(`/reviews/${reviewId}/recommendations/response?organisationId=${metOrg}`)).status,
    ).toBe(404);
  });

  it('is not there for an agency the review addresses nothing to, nor for another organisation', async () => {
    await agencyUser('kentpolice@test.example', 'Kent Police');
    expect((await agency('kentpolice@test.example').get(`/reviews/${reviewId}/recommendations/response`)).status).toBe(
      404,
    );
    expect(
      (
        await agency('kentpolice@test.example').get(
          `/reviews/${reviewId}/recommendations/response?organisationId=${metOrg}`,
        )
      ).status,
    ).toBe(404);
    const report = await agency('kentpolice@test.example').get('/recommendations/report');
    expect(squash(report.body.text)).toContain('In summary: 0 recommendations, 0 responded to');
  });
});

describe("the progress report on an agency's recommendations", () => {
  beforeAll(hackneyWorld);
  afterAll(() => t.close());

  it('covers every review addressing the organisation, with the same figures', async () => {
    const res = await met().get('/recommendations/report');
    expect(res.status).toBe(200);
    const reference = (await t.api('hackney').get(`/reviews/${reviewId}`)).body.reference;
    const text = squash(res.body.text);
    expect(res.body.title).toBe('Progress on the recommendations addressed to Metropolitan Police Service');
    expect(text).toContain(
      `sets out the progress made by Metropolitan Police Service on the recommendations addressed to it by the Domestic Homicide Review ${reference} (Hackney review)`,
    );
    expect(text).toContain(
      'In summary: 15 recommendations, 2 responded to, 1 accepted (in full or in part), 0 implemented, and 1 overdue action.',
    );
    expect(text).toContain(`Recommendation IPCC.2, ${reference} (Hackney review)`);
    expect(text).toContain('Latest update, 1 March 2026: Prompts drafted and tested');
    const pdf = await met().get('/recommendations/report?format=pdf').buffer(true).parse(binary);
    const pdfWords = await pdfText(pdf.body);
    for (const number of HACKNEY_NUMBERS.filter((n) => n !== '4' && n !== 'Panel.179')) {
      expect(pdfWords).toContain(`Recommendation ${number}, ${reference}`);
    }
  });

  it('is open to the secretariat naming an organisation, and to no one else', async () => {
    const res = await t.api('secretariat').get(`/recommendations/report?organisationId=${metOrg}`);
    expect(res.status).toBe(200);
    expect(squash(res.body.text)).toContain('In summary: 15 recommendations, 2 responded to');
    expect((await t.api('secretariat').get('/recommendations/report')).status).toBe(422);
    expect((await t.api('secretariat').get('/recommendations/report?organisationId=999999')).status).toBe(404);
    expect((await t.api('secretariat').get('/recommendations/report?organisationId=abc')).status).toBe(422);
    for (const who of ['panel', 'hackney', 'metPcc'] as const) {
      expect((await t.api(who).get(`/recommendations/report?organisationId=${metOrg}`)).status).toBe(403);
    }
    const other = await t.db('organisations').where({ name_key: 'collegeofpolicing' }).first('id');
    expect((await met().get(`/recommendations/report?organisationId=${other.id}`)).status).toBe(404);
  });

  it('is a page for the agency user with a PDF link', async () => {
    const browser = await agencyBrowser('met@test.example');
    const page = await browser.get('/recommendations/report');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div class="app-letter">');
    expect(page.text).toContain('href="/recommendations/report.pdf"');
    const pdf = await browser.get('/recommendations/report.pdf').buffer(true).parse(binary);
    expect(pdf.headers['content-type']).toBe('application/pdf');
  });
});

describe('what an agency typed', () => {
  beforeAll(hackneyWorld);
  afterAll(() => t.close());

  it('appears escaped in every document, and in the page', async () => {
    const typed = '<script>alert("x")</script> Toolkits are being rewritten & reissued';
    expect(
      (
        await met().post(`/recommendation-agencies/${links['IMR.3']}/response`, {
          response: 'partially_accepted',
          rationale: typed,
        })
      ).status,
    ).toBe(204);
    const report = (await t.api('hackney').get(`/reviews/${reviewId}/recommendations/report`)).body;
    expect(report.html).not.toContain('<script>');
    expect(report.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Toolkits are being rewritten &amp; reissued',
    );
    expect(squash(report.text)).toContain(typed);
    expect(squash(report.text)).toContain('Response: Accepted in part');

    const response = (await met().get(`/reviews/${reviewId}/recommendations/response`)).body;
    expect(response.html).not.toContain('<script>');
    expect(squash(response.text)).toMatch(
      /Accepted: Yes \(in part\) Response: <script>alert\("x"\)<\/script> Toolkits/,
    );

    const hackney = await signedIn(t, 'hackney');
    const page = await hackney.get(`/reviews/${reviewId}/recommendations/report`);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');

    const pdf = await t
      .api('hackney')
      .get(`/reviews/${reviewId}/recommendations/report?format=pdf`)
      .buffer(true)
      .parse(binary);
    expect(await pdfText(pdf.body)).toContain('<script>alert("x")</script> Toolkits are being rewritten & reissued');
  });
});
