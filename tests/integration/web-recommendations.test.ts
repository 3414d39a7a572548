import { parse, type HTMLElement } from 'node-html-parser';
import request from 'supertest';
import {
  createTestApp,
  hackneyRecommendations,
  metPoliceAgency,
  PASSWORD,
  pdf,
  reviewAt,
  type TestApp,
} from '../helpers/app';
import { seed } from '../helpers/seeds';
import { csrfOf, signedIn } from '../helpers/web';
import { textsOf } from '../helpers/page';

let t: TestApp;
/** The Hackney CSP's published review (each block has its own app, and its own). */
let reviewId: number;

const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
/** How many recommendations are saved: in all, or in one review. */
async function count(review?: number) {
  const query = t.db('recommendations');
  if (review) query.where({ review_id: review });
  return Number((await query.count('* as n'))[0]!.n);
}

describe('importing recommendations through the page', () => {
  beforeAll(async () => {
    t = await createTestApp();
    reviewId = await reviewAt(t, t.ids.hackneyCsp, 'published', 'Hackney review');
  });
  afterAll(() => t.close());

  it('previews the pasted Hackney list, saves it on confirmation, and shows the monitoring page', async () => {
    const csp = await signedIn(t, 'hackney');
    await csp.get(`/reviews/${reviewId}/recommendations/import`);
    const preview = await csp.form(`/reviews/${reviewId}/recommendations/import`, {
      format: 'text',
      content: HACKNEY,
      action: 'preview',
    });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Check before saving');
    expect(textsOf(preview.text, 'tbody tr')).toHaveLength(17);
    expect(preview.text).toContain('City and Hackney Safeguarding Children Board');
    expect(await count(reviewId)).toBe(0);

    const saved = await csp.form(`/reviews/${reviewId}/recommendations/import`, {
      format: 'text',
      content: HACKNEY,
      action: 'save',
    });
    expect(saved.status).toBe(302);
    expect(saved.headers.location).toBe(`/reviews/${reviewId}/recommendations?imported=1`);
    expect(await count(reviewId)).toBe(17);
    const page = await csp.get(`/reviews/${reviewId}/recommendations?imported=1`);
    expect(page.text).toContain('Recommendations saved');
    expect(page.text).toContain('Recommendation Panel.179');
    expect(page.text).toContain('Confirm the suggested themes');
  });

  it('refuses a malformed CSV with a message per line in the error summary, keeping what was pasted and saving nothing', async () => {
    const csp = await signedIn(t, 'hackney');
    await csp.get(`/reviews/${reviewId}/recommendations/import`);
    const before = await count();
    const bad = 'number,recommendation,addressed to\n,No number <script>x</script>,Police\n';
    const res = await csp.form(`/reviews/${reviewId}/recommendations/import`, {
      format: 'csv',
      content: bad,
      action: 'save',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('govuk-error-summary');
    expect(res.text).toMatch(/Line 2/);
    expect(res.text).toContain('No number &lt;script&gt;x&lt;/script&gt;');
    expect(res.text).not.toContain('<script>x</script>');
    expect(await count()).toBe(before);
  });

  it('lets the CSP confirm themes, keeps other CSPs out and PCCs to reading', async () => {
    const reviewId = await hackneyRecommendations(t, 'Themes');
    const csp = await signedIn(t, 'hackney');
    await csp.get(`/reviews/${reviewId}/recommendations`);
    const rec = await t.db('recommendations').where({ review_id: reviewId, number: 'IMR.1' }).first('id');
    const res = await csp.form(`/recommendations/${rec.id}/themes`, {
      reviewId,
      themes: ['Risk assessment', 'Training'],
    });
    expect(res.status).toBe(302);
    expect((await t.db('recommendations').where({ id: rec.id }).first('themes')).themes).toEqual([
      'Risk assessment',
      'Training',
    ]);
    const kent = await signedIn(t, 'kent');
    expect((await kent.get(`/reviews/${reviewId}/recommendations`)).status).toBe(404);
    expect((await kent.get(`/reviews/${reviewId}/recommendations/import`)).status).toBe(404);
    const pcc = await signedIn(t, 'metPcc');
    const read = await pcc.get(`/reviews/${reviewId}/recommendations`);
    expect(read.status).toBe(200);
    expect(read.text).not.toContain('Import recommendations');
    expect(read.text).not.toContain('Confirm the suggested themes');
  });
});

// ---- An agency's pages: its list, a page per recommendation, a page per task.

const MET = 'met@test.example';

/** A browser signed in as an agency user: `get` keeps the page's CSRF token for the next form. */
async function agencyBrowser(email: string) {
  const agent = request.agent(t.app);
  const signIn = await agent.get('/sign-in');
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfOf(signIn.text), email, password: PASSWORD, next: '/' });
  if (res.status !== 302) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  let token = '';
  return {
    async get(url: string) {
      const r = await agent.get(url);
      if (/name="_csrf"/.test(r.text ?? '')) token = csrfOf(r.text);
      return r;
    },
    form: (url: string, fields: Record<string, string>) =>
      agent
        .post(url)
        .type('form')
        .send({ _csrf: token, ...fields }),
    /** A multipart form, as the progress update's page sends it, with a file if one is given. */
    upload(url: string, fields: Record<string, string>, file?: { bytes: Buffer; name: string }) {
      let req = agent.post(url).field('_csrf', token);
      for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
      return file ? req.attach('file', file.bytes, file.name) : req;
    },
  };
}

const main = (html: string) => parse(html).querySelector('main')!;
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * The GOV.UK error pattern on a page drawn again: an error summary whose every link targets an
 * element on the page inside a field in error, which shows the same message inline. Returns the
 * summary's messages in order.
 */
function errorSummary(html: string): string[] {
  const root = parse(html);
  const summary = root.querySelector('.govuk-error-summary');
  if (!summary) throw new Error('no error summary on the page');
  expect(root.querySelector('title')!.text).toMatch(/^Error: /);
  const links = summary.querySelectorAll('a');
  expect(links.length).toBe(summary.querySelectorAll('li').length);
  const messages = links.map((a) => {
    const href = a.getAttribute('href')!;
    expect(href).toMatch(/^#./);
    const target = root.querySelector(`[id="${href.slice(1)}"]`);
    expect({ href, found: Boolean(target) }).toEqual({ href, found: true });
    let group: HTMLElement | null = target;
    while (group && !group.classList.contains('govuk-form-group--error')) group = group.parentNode;
    expect({ href, inError: Boolean(group) }).toEqual({ href, inError: true });
    const inline = group!.querySelector('.govuk-error-message');
    expect(squash(inline!.text)).toBe(`Error: ${squash(a.text)}`);
    return squash(a.text);
  });
  // One error per field.
  expect(new Set(links.map((a) => a.getAttribute('href'))).size).toBe(links.length);
  return messages;
}

/** The value of a text box, or the text of a text area, on a page. */
function valueOf(html: string, id: string): string | undefined {
  const el = parse(html).querySelector(`[id="${id}"]`);
  if (!el) return undefined;
  return el.tagName === 'TEXTAREA' ? el.text : el.getAttribute('value');
}
const checked = (html: string, name: string) =>
  parse(html)
    .querySelectorAll(`input[name="${name}"]`)
    .find((i) => i.hasAttribute('checked'))
    ?.getAttribute('value');
const bannerOf = (html: string) => squash(parse(html).querySelector('.govuk-notification-banner')?.text ?? '');
/** The forms a page's content holds (the sign-out form is in the header). */
const formsIn = (html: string) => main(html).querySelectorAll('form');

describe("an agency's recommendations, a page each and a page per task", () => {
  let agencyToken: string;
  let second: number;
  /** Link ids of the Metropolitan Police Service's part in the first review's recommendations, by number. */
  const links: Record<string, number> = {};
  let otherLink: number;
  const api = (method: 'post' | 'put', url: string, body: object) =>
    request(t.app)[method](`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`).send(body);

  // Each test starts from this world, in an app of its own: the pages change what the list counts.
  beforeEach(async () => {
    t = await createTestApp();
    reviewId = await hackneyRecommendations(t, 'Hackney review');
    // A second published review with the same list: the agency's recommendations come from two reviews.
    second = await hackneyRecommendations(t, 'Second Hackney');
    agencyToken = (await metPoliceAgency(t, MET)).token;
    const mine = (await request(t.app).get('/api/v1/recommendations').set('Authorization', `Bearer ${agencyToken}`))
      .body as { number: string; reviewId: number; agencies: { id: number }[] }[];
    for (const r of mine.filter((r) => r.reviewId === reviewId)) links[r.number] = r.agencies[0]!.id;
    // Some of them already answered, through the API: not accepted; accepted with an overdue action
    // (the test clock reads 2 March 2026); implemented.
    await api('post', `/recommendation-agencies/${links['2a']}/response`, {
      response: 'not_accepted',
      rationale: 'The training is the College of Policing’s to give.',
    });
    await api('post', `/recommendation-agencies/${links['3']}/response`, { response: 'accepted' });
    await api('post', `/recommendation-agencies/${links['3']}/actions`, {
      description: 'Brief every response team',
      owner: 'Training lead',
      targetDate: '2026-01-15',
    });
    await api('post', `/recommendation-agencies/${links['IMR.1']}/response`, {
      response: 'partially_accepted',
      rationale: 'In part',
    });
    const done = await api('post', `/recommendation-agencies/${links['IMR.1']}/actions`, {
      description: 'Review the DASH prompts',
      owner: 'Head of Public Protection',
      targetDate: '2026-02-27',
    });
    await api('put', `/actions/${done.body.id}/status`, { status: 'completed' });
    await api('post', `/recommendation-agencies/${links['IMR.1']}/implemented`, { evidence: 'The prompts audit' });
    otherLink = (
      await t
        .db('recommendation_agencies as ra')
        .join('organisations as o', 'o.id', 'ra.organisation_id')
        .where('o.name_key', 'collegeofpolicing')
        .first('ra.id')
    ).id;
  });
  afterEach(() => t.close());

  // The earlier steps of the task pages, done through the API.
  const done = (res: request.Response) => {
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const accept1 = async () =>
    done(await api('post', `/recommendation-agencies/${links['1']}/response`, { response: 'accepted' }));
  /** Recommendation 1 accepted, with an action (given this status, when one is given). */
  async function recommendation1WithAction(status?: 'in_progress') {
    await accept1();
    const action = done(
      await api('post', `/recommendation-agencies/${links['1']}/actions`, {
        description: 'Audit the DASH forms',
        owner: 'Head of Public Protection',
        targetDate: '2026-09-30',
      }),
    );
    if (status) done(await api('put', `/actions/${action.body.id}/status`, { status }));
  }

  it('lists them grouped by review, with counts at the top, a status tag each, the reports, and no form', async () => {
    const agency = await agencyBrowser(MET);
    const res = await agency.get('/recommendations');
    expect(res.status).toBe(200);
    const page = main(res.text);
    expect(formsIn(res.text)).toHaveLength(0);
    // 15 of each review's recommendations are addressed to the Metropolitan Police Service.
    expect(squash(page.querySelector('#recommendation-counts')!.text)).toBe(
      '30 recommendations: 27 need your response, 1 has an overdue action, 1 in progress, 1 with the outcome achieved, 1 not accepted.',
    );
    const reference = (id: number) => t.db('reviews').where({ id }).first('reference', 'pseudonym');
    const headings = page.querySelectorAll('h2').map((h) => squash(h.text));
    const first = await reference(reviewId);
    const other = await reference(second);
    expect(headings).toEqual(
      expect.arrayContaining([
        `Hackney CSP ${first.reference} (Hackney review)`,
        `Hackney CSP ${other.reference} (Second Hackney)`,
      ]),
    );
    expect(headings).toHaveLength(2);
    // Each review's recommendations under its heading, each a link to its page with its status.
    const group = page
      .querySelectorAll('.app-review-recommendations')
      .find((g) => g.querySelector('h2')!.text.includes('(Hackney review)'))!;
    const items = group.querySelectorAll('.govuk-task-list__item');
    expect(items).toHaveLength(15);
    const item = (number: string) =>
      items.find((i) => squash(i.querySelector('a')!.text) === `Recommendation ${number}`)!;
    const tags = (number: string) =>
      item(number)
        .querySelectorAll('.govuk-tag')
        .map((tag) => squash(tag.text));
    expect(item('1').querySelector('a')!.getAttribute('href')).toBe(`/recommendation-agencies/${links['1']}`);
    // Each on the Domestic Abuse Commissioner's scale.
    // A response not yet due shows its due day; "Missing" is for one that is late.
    expect(tags('1')).toEqual(['Response due 27 April 2026']);
    expect(tags('2a')).toEqual(['Not met']);
    expect(tags('3')).toEqual(['Not met', 'Overdue']);
    // Accepted only in part, with its outcome achieved: that part implemented.
    expect(tags('IMR.1')).toEqual(['Partly implemented']);
    expect(squash(item('1').querySelector('.govuk-task-list__hint')!.text)).toMatch(/^The MPS should .{20,}/);
    expect(group.toString()).toContain(`href="/reviews/${reviewId}/recommendations/response"`);
    expect(res.text).toContain('href="/recommendations/report"');
    expect(res.text).toContain('href="/recommendations/report.pdf"');
  });

  it('says so when nothing is addressed to the organisation', async () => {
    const [org] = await t.db('organisations').insert({ name: 'Quiet Trust', name_key: 'quiettrust' }).returning('id');
    await t.services.accounts.createUser({
      email: 'quiet@test.example',
      name: 'Quiet',
      role: 'agency',
      organisationId: org.id,
      password: PASSWORD,
    });
    const res = await (await agencyBrowser('quiet@test.example')).get('/recommendations');
    expect(res.status).toBe(200);
    expect(squash(main(res.text).text)).toContain('No recommendations are addressed to your organisation yet.');
    expect(res.text).not.toContain('href="/recommendations/report"');
  });

  it("shows one recommendation: its text, the agency's response, its actions with their updates, and a link to each task", async () => {
    const agency = await agencyBrowser(MET);
    const fresh = await agency.get(`/recommendation-agencies/${links['1']}`);
    expect(fresh.status).toBe(200);
    // Its one form confirms the recommendation reached the organisation.
    expect(formsIn(fresh.text).map((f) => f.getAttribute('action'))).toEqual([
      `/recommendation-agencies/${links['1']}/acknowledge`,
    ]);
    const text = squash(main(fresh.text).text);
    expect(text).toContain('Recommendation 1');
    expect(text).toMatch(/The MPS should/);
    expect(text).toContain('Status Response due 27 April 2026');
    expect(text).toContain('Received Not confirmed yet');
    expect(text).toContain('Not recorded yet');
    expect(fresh.text).toContain(`href="/recommendation-agencies/${links['1']}/response"`);
    // Nothing to add actions to before the recommendation is accepted.
    expect(fresh.text).not.toContain(`href="/recommendation-agencies/${links['1']}/actions"`);

    const overdue = await agency.get(`/recommendation-agencies/${links['3']}`);
    const page = main(overdue.text);
    expect(squash(page.text)).toContain('Brief every response team');
    expect(squash(page.text)).toContain('15 January 2026');
    expect(page.querySelectorAll('.govuk-tag').map((tag) => squash(tag.text))).toEqual(
      expect.arrayContaining(['Not met', 'Overdue action', 'Not started']),
    );
    const action = await t.db('recommendation_actions').where({ recommendation_agency_id: links['3'] }).first('id');
    for (const href of [
      `/recommendation-agencies/${links['3']}/response`,
      `/recommendation-agencies/${links['3']}/actions`,
      `/actions/${action.id}/status`,
      `/actions/${action.id}/updates`,
    ])
      expect(overdue.text).toContain(`href="${href}"`);
    // Not every action is completed: not yet implemented.
    expect(overdue.text).not.toContain(`href="/recommendation-agencies/${links['3']}/implemented"`);
    expect(formsIn(overdue.text)).toHaveLength(0);

    const implemented = squash(main((await agency.get(`/recommendation-agencies/${links['IMR.1']}`)).text).text);
    expect(implemented).toContain('Status Partly implemented');
    expect(implemented).toContain('Actions done 1 of 1 Outcome achieved 2 March 2026 Evidence The prompts audit');
  });

  it('responds on a page of its own: empty and half-done answers are refused in GOV.UK words, keeping what was typed', async () => {
    const agency = await agencyBrowser(MET);
    const url = `/recommendation-agencies/${links['1']}/response`;
    const form = await agency.get(url);
    expect(form.status).toBe(200);
    expect(formsIn(form.text)).toHaveLength(1);

    const empty = await agency.form(url, {});
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Select a response']);

    const noReason = await agency.form(url, { response: 'partially_accepted', rationale: '  ' });
    expect(noReason.status).toBe(422);
    expect(errorSummary(noReason.text)).toEqual(['Enter the rationale']);
    expect(checked(noReason.text, 'response')).toBe('partially_accepted');

    const unknown = await agency.form(url, { response: 'maybe', rationale: 'Still deciding' });
    expect(unknown.status).toBe(422);
    expect(errorSummary(unknown.text)).toEqual(['Select a response']);
    expect(valueOf(unknown.text, 'rationale')).toBe('Still deciding');

    const saved = await agency.form(url, { response: 'accepted', rationale: '' });
    expect(saved.status).toBe(302);
    expect(saved.headers.location).toBe(`/recommendation-agencies/${links['1']}?done=response`);
    const page = await agency.get(saved.headers.location);
    expect(bannerOf(page.text)).toBe('Success Your response to recommendation 1 is saved');
    expect(squash(main(page.text).text)).toContain('Accepted');
  });

  it('adds an action with a GOV.UK date input: a missing, impossible or non-numeric date is named, what was typed kept', async () => {
    await accept1();
    const agency = await agencyBrowser(MET);
    const url = `/recommendation-agencies/${links['1']}/actions`;
    const form = await agency.get(url);
    expect(form.status).toBe(200);
    expect(formsIn(form.text)).toHaveLength(1);
    expect(form.text).toContain('id="targetDate-day"');

    const empty = await agency.form(url, {});
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Enter what will be done', 'Enter the owner', 'Enter the target date']);

    const typed = { description: 'Audit the DASH forms', owner: 'Head of Public Protection' };
    const month13 = await agency.form(url, {
      ...typed,
      'targetDate-day': '31',
      'targetDate-month': '13',
      'targetDate-year': '2026',
    });
    expect(month13.status).toBe(422);
    expect(errorSummary(month13.text)).toEqual(['Target date must be a real date']);
    expect(valueOf(month13.text, 'description')).toBe(typed.description);
    expect(valueOf(month13.text, 'owner')).toBe(typed.owner);
    expect(valueOf(month13.text, 'targetDate-month')).toBe('13');

    const words = await agency.form(url, {
      ...typed,
      'targetDate-day': 'last',
      'targetDate-month': 'June',
      'targetDate-year': '2026',
    });
    expect(words.status).toBe(422);
    expect(errorSummary(words.text)).toEqual(['Target date must be a real date']);
    expect(valueOf(words.text, 'targetDate-day')).toBe('last');
    expect(valueOf(words.text, 'targetDate-month')).toBe('June');

    const before = await t.db('recommendation_actions').where({ recommendation_agency_id: links['1'] }).count('* as n');
    expect(Number(before[0]!.n)).toBe(0);
    const saved = await agency.form(url, {
      ...typed,
      'targetDate-day': '30',
      'targetDate-month': '9',
      'targetDate-year': '2026',
    });
    expect(saved.status).toBe(302);
    const page = await agency.get(saved.headers.location);
    expect(bannerOf(page.text)).toBe('Success Action added to recommendation 1');
    expect(squash(main(page.text).text)).toContain('Audit the DASH forms');
    expect(squash(main(page.text).text)).toContain('30 September 2026');
  });

  it('changes the status of an action on a page of its own', async () => {
    await recommendation1WithAction();
    const agency = await agencyBrowser(MET);
    const action = await t.db('recommendation_actions').where({ recommendation_agency_id: links['1'] }).first('id');
    const url = `/actions/${action.id}/status`;
    const form = await agency.get(url);
    expect(form.status).toBe(200);
    expect(formsIn(form.text)).toHaveLength(1);
    expect(checked(form.text, 'status')).toBe('not_started');

    const empty = await agency.form(url, {});
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Select the status of the action']);
    const unknown = await agency.form(url, { status: 'done' });
    expect(unknown.status).toBe(422);
    expect(errorSummary(unknown.text)).toEqual(['Select the status of the action']);

    const saved = await agency.form(url, { status: 'in_progress' });
    expect(saved.status).toBe(302);
    const page = await agency.get(saved.headers.location);
    expect(bannerOf(page.text)).toBe('Success Action 1 is now in progress');
  });

  it('adds a progress update with a date input and an optional evidence document', async () => {
    await recommendation1WithAction('in_progress');
    const agency = await agencyBrowser(MET);
    const action = await t.db('recommendation_actions').where({ recommendation_agency_id: links['1'] }).first('id');
    const url = `/actions/${action.id}/updates`;
    const form = await agency.get(url);
    expect(form.status).toBe(200);
    expect(formsIn(form.text)).toHaveLength(1);
    expect(formsIn(form.text)[0]!.getAttribute('enctype')).toBe('multipart/form-data');
    // The date starts as today's.
    expect(valueOf(form.text, 'on-year')).toBe('2026');

    const empty = await agency.upload(url, {});
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Enter the progress update', 'Enter the date of the update']);

    const bad = await agency.upload(url, {
      text: 'Forms sampled',
      'on-day': '1',
      'on-month': '13',
      'on-year': '2026',
    });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual(['Date of the update must be a real date']);
    expect(valueOf(bad.text, 'text')).toBe('Forms sampled');
    expect(valueOf(bad.text, 'on-month')).toBe('13');

    const letters = await agency.upload(url, {
      text: 'Forms sampled',
      'on-day': 'x',
      'on-month': '3',
      'on-year': '20x6',
    });
    expect(letters.status).toBe(422);
    expect(errorSummary(letters.text)).toEqual(['Date of the update must be a real date']);

    const notADocument = await agency.upload(
      url,
      { text: 'Forms sampled', 'on-day': '1', 'on-month': '3', 'on-year': '2026' },
      { bytes: Buffer.from('just text'), name: 'notes.pdf' },
    );
    expect(notADocument.status).toBe(422);
    expect(errorSummary(notADocument.text)).toEqual(['The evidence document must be a PDF, DOCX or ODT document']);
    expect(valueOf(notADocument.text, 'on-day')).toBe('1');

    const saved = await agency.upload(
      url,
      { text: 'Forms sampled', 'on-day': '1', 'on-month': '3', 'on-year': '2026' },
      { bytes: pdf('audit'), name: 'audit.pdf' },
    );
    expect(saved.status).toBe(302);
    const page = await agency.get(saved.headers.location);
    expect(bannerOf(page.text)).toBe('Success Progress update added to action 1');
    expect(squash(main(page.text).text)).toContain('1 March 2026');
    const update = await t.db('action_updates').where({ action_id: action.id }).first('id');
    expect(page.text).toContain(`href="/action-updates/${update.id}/evidence"`);
    expect((await agency.get(`/action-updates/${update.id}/evidence`)).status).toBe(200);
  });

  it('marks the recommendation implemented once every action is completed, with the evidence', async () => {
    await recommendation1WithAction('in_progress');
    const agency = await agencyBrowser(MET);
    const url = `/recommendation-agencies/${links['1']}/implemented`;
    // An action is still in progress: the page says why it cannot be done yet, and has no form.
    const early = await agency.get(url);
    expect(early.status).toBe(200);
    expect(formsIn(early.text)).toHaveLength(0);
    expect(squash(main(early.text).text)).toContain('Every action must be completed');
    const refused = await agency.form(url, { evidence: 'Too soon' });
    expect(refused.status).toBe(409);
    expect(squash(parse(refused.text).querySelector('.govuk-error-summary')!.text)).toContain(
      'Every action must be completed',
    );

    const action = await t.db('recommendation_actions').where({ recommendation_agency_id: links['1'] }).first('id');
    await agency.get(`/actions/${action.id}/status`);
    expect((await agency.form(`/actions/${action.id}/status`, { status: 'completed' })).status).toBe(302);
    const ready = await agency.get(`/recommendation-agencies/${links['1']}`);
    expect(ready.text).toContain(`href="${url}"`);

    const form = await agency.get(url);
    expect(formsIn(form.text)).toHaveLength(1);
    const empty = await agency.form(url, { evidence: ' ' });
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Enter the evidence that the outcome is achieved']);

    const saved = await agency.form(url, { evidence: 'Audit of 50 DASH forms' });
    expect(saved.status).toBe(302);
    const page = await agency.get(saved.headers.location);
    expect(bannerOf(page.text)).toBe('Success The outcome of recommendation 1 is recorded as achieved');
    expect(squash(main(page.text).text)).toContain('Audit of 50 DASH forms');
    // Implemented: read only, until the CSP reopens it.
    expect(page.text).not.toContain(`href="/actions/${action.id}/status"`);
    const list = await agency.get('/recommendations');
    expect(squash(main(list.text).querySelector('#recommendation-counts')!.text)).toContain(
      '2 with the outcome achieved',
    );
  });

  it("finds no other organisation's part, and lets no other role in", async () => {
    await recommendation1WithAction();
    const agency = await agencyBrowser(MET);
    const action = await t.db('recommendation_actions').where({ recommendation_agency_id: links['1'] }).first('id');
    const before = await t.db('recommendation_agencies').where({ id: otherLink }).first();
    for (const url of [
      `/recommendation-agencies/${otherLink}`,
      `/recommendation-agencies/${otherLink}/response`,
      `/recommendation-agencies/${otherLink}/actions`,
      `/recommendation-agencies/${otherLink}/implemented`,
    ]) {
      const res = await agency.get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 404 });
      expect(res.text).toContain('Page not found');
    }
    expect((await agency.form(`/recommendation-agencies/${otherLink}/response`, { response: 'accepted' })).status).toBe(
      404,
    );
    expect(await t.db('recommendation_agencies').where({ id: otherLink }).first()).toEqual(before);

    const college = await t
      .db('recommendation_agencies as ra')
      .join('organisations as o', 'o.id', 'ra.organisation_id')
      .where('o.name_key', 'collegeofpolicing')
      .first('o.id');
    await t.services.accounts.createUser({
      email: 'college@test.example',
      name: 'College',
      role: 'agency',
      organisationId: college.id,
      password: PASSWORD,
    });
    const other = await agencyBrowser('college@test.example');
    for (const url of [
      `/recommendation-agencies/${links['1']}`,
      `/actions/${action.id}/status`,
      `/actions/${action.id}/updates`,
    ])
      expect({ url, status: (await other.get(url)).status }).toEqual({ url, status: 404 });

    const csp = await signedIn(t, 'hackney');
    expect((await csp.get(`/recommendation-agencies/${links['1']}`)).status).toBe(403);
    expect((await csp.get(`/actions/${action.id}/status`)).status).toBe(403);
  });
});
