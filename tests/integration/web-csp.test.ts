import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';
import { attributesOf, banner, inputValue, linkTo, pageOf, tags, textsOf, title, visible } from '../helpers/page';
import { signedIn } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Agent = Awaited<ReturnType<typeof signedIn>>;

/** What each revision item's or document's status reads, in the order of the task list. */
const statuses = (html: string) => textsOf(html, '.govuk-task-list__status');
const count = (html: string, status: string | RegExp) =>
  statuses(html).filter((s) => (typeof status === 'string' ? s === status : status.test(s))).length;
const toDo = (html: string) => count(html, 'To do');
/** Items answered or accepted: plain text in the task list, in the words the review page uses too. */
const completed = (html: string) => count(html, /^(Answered|Accepted)$/);
const returned = (html: string) => count(html, 'Returned');
/** Where each form on a page sends, but the sign-out button's in the navigation. */
const formsOf = (html: string) =>
  pageOf(html)
    .querySelectorAll('form')
    .map((form) => form.getAttribute('action') ?? '(the page itself)')
    .filter((action) => action !== '/sign-out');

const reviewsCount = async () => Number((await t.db('reviews').count<{ n: string }[]>('* as n'))[0]!.n);
const state = async (id: number) => (await t.api('secretariat').get(`/reviews/${id}`)).body.state as string;
const itemsOf = async (id: number) =>
  (await t.api('secretariat').get(`/reviews/${id}`)).body.rounds.at(-1).items as {
    id: number;
    status: string;
    response: string | null;
    reportReference: string | null;
  }[];

/** A Kent review taken by the Home Office through the panel to a sent letter. */
async function letterSent(pseudonym: string, outcome: string, areas: { heading?: string; text: string }[]) {
  const id = await submittedReview(t, pseudonym);
  const meetingId = await meeting(t, '2026-02-25');
  expect((await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId })).status).toBe(200);
  const recorded = await t.api('panel').event(id, {
    type: 'RECORD_OUTCOME',
    outcome,
    commendations: 'A clear and compassionate report.',
    areas,
  });
  expect(recorded.status).toBe(200);
  expect((await t.api('secretariat').event(id, { type: 'SEND_LETTER' })).status).toBe(200);
  return id;
}

/** Answers an item through its page, as a browser would. */
async function answer(kent: Agent, id: number, itemId: number, response: string, reportReference = '') {
  const page = await kent.get(`/reviews/${id}/items/${itemId}`);
  expect(page.status).toBe(200);
  const res = await kent.form(`/reviews/${id}/items/${itemId}`, { response, reportReference });
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe(`/reviews/${id}/items?saved=${itemId}`);
  return res;
}

describe('My reviews', () => {
  it('is empty for a CSP without reviews, with a link to notify one', async () => {
    // An app of its own, where Hackney has none: other tests here notify reviews for it.
    const fresh = await createTestApp();
    try {
      const hackney = await signedIn(fresh, 'hackney');
      const res = await hackney.get('/my-reviews');
      expect(res.status).toBe(200);
      expect(res.text).toContain('You have no reviews yet');
      expect(res.text).toContain('href="/reviews/new"');
    } finally {
      await fresh.close();
    }
  });

  it('lists the CSP reviews with their state and what happens next', async () => {
    const submitted = await submittedReview(t, 'Rose');
    const notified = (await t.api('kent').post('/reviews', { pseudonym: 'Iris' })).body.id as number;
    const kent = await signedIn(t, 'kent');
    const res = await kent.get('/my-reviews');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`href="/reviews/${submitted}"`);
    expect(res.text).toContain(`href="/reviews/${notified}"`);
    expect(tags(res.text)).toEqual(
      expect.arrayContaining([
        { text: 'Submitted', colour: 'blue' },
        { text: 'Notified', colour: 'grey' },
      ]),
    );
    expect(res.text).toContain('With the Home Office: the QA Panel will assess it');
    expect(res.text).toContain('Upload the overview report, executive summary and action plan');
    expect(res.text).toContain('href="/letters"');
  });

  it('is only for CSP users', async () => {
    for (const who of ['secretariat', 'panel', 'kentPcc'] as const) {
      const agent = await signedIn(t, who);
      expect((await agent.get('/my-reviews')).status).toBe(403);
    }
  });
});

describe('notifying a review', () => {
  it('shows the form with today as the date notified', async () => {
    const kent = await signedIn(t, 'kent');
    const res = await kent.get('/reviews/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Never use their real name');
    expect(res.text).toContain('name="notifiedOn-day" type="text" inputmode="numeric" value="2"');
    expect(res.text).toContain('name="notifiedOn-year" type="text" inputmode="numeric" value="2026"');
    expect(res.text).not.toContain('name="cspId"');
  });

  it('notifies a review and says so in a banner', async () => {
    const kent = await signedIn(t, 'kent');
    await kent.get('/reviews/new');
    const res = await kent.form('/reviews/new', {
      pseudonym: 'Lily',
      yearOfDeath: '2025',
      'notifiedOn-day': '10',
      'notifiedOn-month': '1',
      'notifiedOn-year': '2026',
    });
    expect(res.status).toBe(302);
    const [, id] = /^\/reviews\/(\d+)\?notified=1$/.exec(res.headers.location) ?? [];
    expect(id).toBeDefined();
    const review = (await t.api('kent').get(`/reviews/${id}`)).body;
    expect(review).toMatchObject({
      pseudonym: 'Lily',
      yearOfDeath: 2025,
      notifiedOn: '2026-01-10',
      state: 'notified',
      csp: { id: t.ids.kentCsp },
    });
    const page = await kent.get(res.headers.location);
    expect(page.text).toContain('govuk-notification-banner--success');
    expect(page.text).toContain(`Review ${review.reference} notified`);
  });

  it('keeps what was typed and creates nothing when the input is wrong', async () => {
    const kent = await signedIn(t, 'kent');
    await kent.get('/reviews/new');
    const before = await reviewsCount();
    const res = await kent.form('/reviews/new', {
      pseudonym: '   ',
      yearOfDeath: 'last year',
      'notifiedOn-day': '31',
      'notifiedOn-month': '2',
      'notifiedOn-year': '2026',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('govuk-error-summary');
    expect(res.text).toContain('<a href="#pseudonym">Enter a pseudonym</a>');
    expect(res.text).toContain('<a href="#yearOfDeath">Year of death must be a year, for example 2024</a>');
    expect(res.text).toContain('<a href="#notifiedOn-day">Date notified must be a real date');
    expect(res.text).toContain('id="pseudonym-error"');
    expect(res.text).toContain('value="last year"');
    expect(inputValue(res.text, 'notifiedOn-day')).toBe('31');
    expect(title(res.text)).toMatch(/^Error: /);
    expect(await reviewsCount()).toBe(before);
  });

  it('lets the secretariat choose the CSP', async () => {
    const secretariat = await signedIn(t, 'secretariat');
    const form = await secretariat.get('/reviews/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="cspId"');
    expect(form.text).toContain('Hackney CSP');

    const before = await reviewsCount();
    const missing = await secretariat.form('/reviews/new', { cspId: '', pseudonym: 'Ava' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Choose the Community Safety Partnership');
    expect(missing.text).toContain('value="Ava"');
    expect(await reviewsCount()).toBe(before);

    const res = await secretariat.form('/reviews/new', { cspId: String(t.ids.hackneyCsp), pseudonym: 'Ava' });
    expect(res.status).toBe(302);
    const id = /^\/reviews\/(\d+)/.exec(res.headers.location)![1];
    expect((await t.api('secretariat').get(`/reviews/${id}`)).body.csp.id).toBe(t.ids.hackneyCsp);
  });

  it('is refused to the panel and PCCs', async () => {
    for (const who of ['panel', 'kentPcc'] as const) {
      const agent = await signedIn(t, who);
      expect((await agent.get('/reviews/new')).status).toBe(403);
      const before = await reviewsCount();
      const res = await agent.form('/reviews/new', { pseudonym: 'Nope' });
      expect(res.status).toBe(403);
      expect(await reviewsCount()).toBe(before);
    }
  });
});

describe('the documents checklist of a notified review', () => {
  it('shows which of the three documents are attached and which are missing', async () => {
    const id = (await t.api('kent').post('/reviews', { pseudonym: 'Daisy' })).body.id as number;
    const kent = await signedIn(t, 'kent');
    let page = await kent.get(`/reviews/${id}`);
    expect(page.text).toContain('Documents needed to submit');
    expect(count(page.text, 'Missing')).toBe(3);
    expect(page.text).not.toContain('Submit to the Home Office');
    // The upload form starts on the first missing document.
    expect(page.text).toContain('<option value="overview_report" selected>');

    const up = await kent.agent
      .post(`/reviews/${id}/documents`)
      .field('_csrf', kent.token)
      .field('kind', 'overview_report')
      .attach('file', pdf('overview'), 'overview.pdf');
    expect(up.status).toBe(302);
    // Back at the top of the page, where the banner says what was uploaded as what.
    expect(up.headers.location).toMatch(new RegExp(`^/reviews/${id}\\?uploaded=\\d+$`));
    page = await kent.get(up.headers.location);
    expect(banner(page.text)).toBe('overview.pdf uploaded as the overview report');
    expect(count(page.text, 'Missing')).toBe(2);
    expect(count(page.text, 'Attached')).toBe(1);
    expect(page.text).toContain('overview.pdf');
    expect(page.text).toContain('<option value="executive_summary" selected>');

    for (const kind of ['executive_summary', 'action_plan']) await t.api('kent').upload(id, kind, pdf(kind));
    page = await kent.get(`/reviews/${id}`);
    expect(count(page.text, 'Missing')).toBe(0);
    expect(count(page.text, 'Attached')).toBe(3);
    expect(page.text).toContain('Submit to the Home Office');
  });

  it('is not shown to a PCC or once the review is submitted', async () => {
    const id = await submittedReview(t, 'Poppy');
    const kent = await signedIn(t, 'kent');
    expect((await kent.get(`/reviews/${id}`)).text).not.toContain('Documents needed to submit');
    const notified = (await t.api('kent').post('/reviews', { pseudonym: 'Fern' })).body.id as number;
    const pcc = await signedIn(t, 'kentPcc');
    expect((await pcc.get(`/reviews/${notified}`)).text).not.toContain('Documents needed to submit');
  });
});

describe('revision items after "publish after changes"', () => {
  let id: number;
  let kent: Agent;
  const AREAS = [
    { text: 'Remove the date of death.' },
    { heading: 'Structure', text: 'Add an equality and diversity section.' },
    { heading: 'Structure', text: 'Follow the model report layout.' },
  ];

  beforeAll(async () => {
    id = await letterSent('Mary', 'publish_after_changes', AREAS);
    kent = await signedIn(t, 'kent');
  });

  /**
   * A review of this block's letter taken through the API as far as a test starts from, so that
   * each test stands alone: its items answered, the revisions submitted, or approved.
   */
  async function maryAt(stage: 'answered' | 'submitted' | 'approved') {
    const review = await letterSent('Mary', 'publish_after_changes', AREAS);
    const items = await itemsOf(review);
    const answers = [
      {
        response: 'The date of death is removed throughout, and from the chronology.',
        reportReference: 'paragraph 1.3',
      },
      { response: 'Section 9 now covers equality and diversity.', reportReference: 'section 9' },
      { response: 'Re-ordered to follow the model layout.' },
    ];
    for (const [i, item] of items.entries()) {
      const res = await t.api('kent').event(review, { type: 'RESPOND_TO_ITEM', itemId: item.id, ...answers[i] });
      expect(res.status).toBe(200);
    }
    if (stage === 'answered') return review;
    expect((await t.api('kent').event(review, { type: 'SUBMIT_REVISIONS' })).status).toBe(200);
    if (stage === 'submitted') return review;
    for (const item of items) await t.api('secretariat').event(review, { type: 'ACCEPT_ITEM', itemId: item.id });
    expect((await t.api('secretariat').event(review, { type: 'CONFIRM_REVISIONS' })).body.state).toBe('approved');
    return review;
  }

  it('shows three tasks to do, grouped and numbered as in the letter', async () => {
    const res = await kent.get(`/reviews/${id}/items`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('govuk-task-list');
    expect(toDo(res.text)).toBe(3);
    expect(res.text).toContain('You have answered 0 of 3 items');
    expect(res.text).toContain('at its meeting on 25 February 2026');
    expect(linkTo(res.text, 'Read the feedback letter')).toMatch(/^\/letters\/\d+$/);
    expect(res.text).toContain('<h2 class="govuk-heading-m">Structure</h2>');
    expect(res.text).toContain('1. Remove the date of death.');
    expect(res.text).toContain('2a. Add an equality and diversity section.');
    expect(res.text).toContain('2b. Follow the model report layout.');
    expect(res.text).not.toContain('Submit revisions');
    expect(res.text).not.toContain('revised-report');

    const mine = await kent.get('/my-reviews');
    expect(mine.text).toContain(`href="/reviews/${id}/items">Answer the revision items`);
    expect(mine.text).toContain('(3 of 3 to do)');

    const review = await kent.get(`/reviews/${id}`);
    expect(review.text).toContain(`href="/reviews/${id}/items">Answer the revision items`);
  });

  it('keeps what was typed when the answer is empty, and changes nothing', async () => {
    const [first] = await itemsOf(id);
    const page = await kent.get(`/reviews/${id}/items/${first!.id}`);
    expect(page.text).toContain('How has the report been changed?');
    expect(page.text).toContain('Where in the report');
    expect(page.text).toContain('Remove the date of death.');
    const res = await kent.form(`/reviews/${id}/items/${first!.id}`, { response: '  ', reportReference: 'para 4.2' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#response">Enter how the report has been changed</a>');
    expect(res.text).toContain('id="response-error"');
    expect(res.text).toContain('value="para 4.2"');
    expect((await itemsOf(id))[0]!.status).toBe('open');
  });

  it('answers each item through its page and shows it completed', async () => {
    const id = await letterSent('Mary', 'publish_after_changes', AREAS);
    const items = await itemsOf(id);
    await answer(kent, id, items[0]!.id, 'The date of death is removed throughout.', 'paragraph 1.3');
    let list = await kent.get(`/reviews/${id}/items?saved=${items[0]!.id}`);
    expect(list.text).toContain('Your answer to item 1 is saved');
    expect(toDo(list.text)).toBe(2);
    expect(completed(list.text)).toBe(1);
    expect(list.text).toContain('You have answered 1 of 3 items');
    expect(list.text).toContain('Changed at paragraph 1.3');

    await answer(kent, id, items[1]!.id, 'Section 9 now covers equality and diversity.', 'section 9');
    await answer(kent, id, items[2]!.id, 'Re-ordered to follow the model layout.');
    list = await kent.get(`/reviews/${id}/items`);
    expect(toDo(list.text)).toBe(0);
    expect(completed(list.text)).toBe(3);
    expect(list.text).toContain('You have answered 3 of 3 items');
    expect(list.text).toContain('Check your answers and submit revisions');

    const saved = await itemsOf(id);
    expect(saved.map((i) => i.status)).toEqual(['addressed', 'addressed', 'addressed']);
    expect(saved[0]).toMatchObject({
      response: 'The date of death is removed throughout.',
      reportReference: 'paragraph 1.3',
    });
    expect(saved[2]!.reportReference).toBeNull();

    // An answered item can still be changed until the revisions are submitted: its form holds the answer.
    const item = await kent.get(`/reviews/${id}/items/${items[0]!.id}`);
    expect(item.text).toContain('You can change your answer until you submit your revisions.');
    expect(item.text).toMatch(
      /<textarea[^>]*name="response"[^>]*>The date of death is removed throughout\.<\/textarea>/,
    );
    expect(item.text).toContain('Save the changed answer');
    const again = await answer(
      kent,
      id,
      items[0]!.id,
      'The date of death is removed throughout, and from the chronology.',
      'paragraph 1.3',
    );
    expect(again.status).toBe(302);
    expect((await itemsOf(id))[0]!.response).toBe('The date of death is removed throughout, and from the chronology.');
  });

  it('checks the answers with the CSP, then submits the revisions and says what happens next', async () => {
    const id = await maryAt('answered');
    const list0 = await kent.get(`/reviews/${id}/items`);
    expect(list0.text).toContain(`href="/reviews/${id}/submit-revisions">Check your answers and submit revisions`);
    const check = await kent.get(`/reviews/${id}/submit-revisions`);
    expect(check.status).toBe(200);
    expect(check.text).toContain('Check your answers before submitting your revisions');
    expect(check.text).toContain('The date of death is removed throughout, and from the chronology.');
    expect(check.text).toContain('Where in the report: paragraph 1.3');
    const items = await itemsOf(id);
    expect(check.text).toContain(
      `href="/reviews/${id}/items/${items[0]!.id}">Change<span class="govuk-visually-hidden"> your answer to item 1</span>`,
    );
    expect(check.text).toContain('By submitting your revisions you are confirming');
    expect(await state(id)).toBe('revising');

    const res = await kent.form(`/reviews/${id}/submit-revisions`, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/reviews/${id}/confirmation/revisions-submitted`);
    expect(await state(id)).toBe('revisions_submitted');
    const page = await kent.get(res.headers.location);
    expect(page.text).toContain('<h1 class="govuk-panel__title">Revisions submitted</h1>');
    expect(page.text).toContain('will check each answer');
    // Once submitted, the check page has nothing to submit: it goes back to the items.
    expect((await kent.get(`/reviews/${id}/submit-revisions`)).headers.location).toBe(`/reviews/${id}/items`);
    const list = await kent.get(`/reviews/${id}/items`);
    expect(list.text).toContain('The Home Office is checking each answer');
    expect(list.text).not.toContain('Submit revisions');
  });

  it('shows a returned item with its reason, and takes a new answer', async () => {
    const id = await maryAt('submitted');
    const items = await itemsOf(id);
    const secretariat = t.api('secretariat');
    await secretariat.event(id, { type: 'ACCEPT_ITEM', itemId: items[0]!.id });
    await secretariat.event(id, { type: 'ACCEPT_ITEM', itemId: items[1]!.id });
    await secretariat.event(id, {
      type: 'RETURN_ITEM',
      itemId: items[2]!.id,
      reason: 'The executive summary still uses the old layout.',
    });
    expect((await secretariat.event(id, { type: 'CONFIRM_REVISIONS' })).status).toBe(200);
    expect(await state(id)).toBe('revising');

    const list = await kent.get(`/reviews/${id}/items`);
    expect(returned(list.text)).toBe(1);
    expect(completed(list.text)).toBe(2);
    expect(list.text).toContain('You have answered 2 of 3 items');
    expect(list.text).toContain('see why and answer again');

    const item = await kent.get(`/reviews/${id}/items/${items[2]!.id}`);
    expect(item.text).toContain('govuk-warning-text');
    expect(item.text).toContain('The executive summary still uses the old layout.');
    expect(item.text).toContain('Re-ordered to follow the model layout.</textarea>');

    await answer(kent, id, items[2]!.id, 'The executive summary now follows the layout too.', 'executive summary');
    const after = await kent.get(`/reviews/${id}/items`);
    expect(returned(after.text)).toBe(0);
    expect(completed(after.text)).toBe(3);
    await kent.form(`/reviews/${id}/submit-revisions`, {});
    expect(await state(id)).toBe('revisions_submitted');

    await secretariat.event(id, { type: 'ACCEPT_ITEM', itemId: items[2]!.id });
    expect((await secretariat.event(id, { type: 'CONFIRM_REVISIONS' })).body.state).toBe('approved');
  });

  it('records the publication from the review page', async () => {
    const id = await maryAt('approved');
    const mine = await kent.get('/my-reviews');
    expect(mine.text).toContain('Publish the report and record its web link');

    const page = await kent.get(`/reviews/${id}`);
    expect(page.text).toContain('Record the publication');
    const bad = await kent.form(`/reviews/${id}/events`, {
      type: 'RECORD_PUBLICATION',
      url: 'not a web address',
      'publishedOn-day': '2',
      'publishedOn-month': '3',
      'publishedOn-year': '2026',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain(
      '<a href="#url">The web address of the published report must start with http:// or https://</a>',
    );
    expect(bad.text).toContain('value="not a web address"');
    expect(await state(id)).toBe('approved');
    const future = await kent.form(`/reviews/${id}/events`, {
      type: 'RECORD_PUBLICATION',
      url: 'https://www.kent.gov.uk/dhr/mary',
      'publishedOn-day': '2',
      'publishedOn-month': '3',
      'publishedOn-year': '2027',
    });
    expect(future.status).toBe(422);
    expect(future.text).toContain(
      '<a href="#publishedOn-day">The date of publication must be today or in the past</a>',
    );
    expect(await state(id)).toBe('approved');

    const res = await kent.form(`/reviews/${id}/events`, {
      type: 'RECORD_PUBLICATION',
      url: 'https://www.kent.gov.uk/dhr/mary',
      'publishedOn-day': '2',
      'publishedOn-month': '3',
      'publishedOn-year': '2026',
    });
    expect(res.status).toBe(302);
    const done = await kent.get(res.headers.location);
    expect(done.text).toContain('Publication recorded');
    expect(done.text).toContain('href="https://www.kent.gov.uk/dhr/mary"');
    expect(await state(id)).toBe('published');
    const listed = (await kent.get('/my-reviews')).text;
    expect(listed).toContain('Published on 2 March 2026');
    // What is left to do: record who received the final report.
    expect(listed).toContain('Record who received the final report');
  });
});

describe('revision items after "resubmit"', () => {
  let id: number;
  let kent: Agent;

  beforeAll(async () => {
    id = await letterSent('Anne', 'resubmit', [{ text: 'Interview the family again.' }]);
    kent = await signedIn(t, 'kent');
  });

  it('asks for the revised report before the revisions can be submitted', async () => {
    const [item] = await itemsOf(id);
    let list = await kent.get(`/reviews/${id}/items`);
    expect(list.text).toContain('Upload the revised report');
    expect(list.text).toContain('enctype="multipart/form-data"');
    await answer(kent, id, item!.id, 'The family were interviewed in May.');

    list = await kent.get(`/reviews/${id}/items`);
    expect(completed(list.text)).toBe(1);
    expect(list.text).toContain('Upload the revised report before you submit your revisions');
    expect(list.text).not.toContain('Check your answers and submit revisions');
    expect((await kent.get(`/reviews/${id}/submit-revisions`)).headers.location).toBe(`/reviews/${id}/items`);
    expect((await kent.get('/my-reviews')).text).toContain('Upload the revised report and submit the revisions');

    // A page left open from before, or a crafted request: refused with the reason.
    const res = await kent.form(`/reviews/${id}/submit-revisions`, {});
    expect(res.status).toBe(409);
    expect(res.text).toContain('govuk-error-summary');
    expect(res.text).toContain('a revised report must be attached after the feedback letter was sent');
    expect(await state(id)).toBe('revising');
  });

  it('refuses a file that is not a document, on the same page', async () => {
    await kent.get(`/reviews/${id}/items`);
    const res = await kent.agent
      .post(`/reviews/${id}/revised-report`)
      .field('_csrf', kent.token)
      .attach('file', Buffer.from('just some text'), 'revised.pdf');
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#file">The file must be a PDF, DOCX or ODT document</a>');
    const missing = await kent.agent.post(`/reviews/${id}/revised-report`).field('_csrf', kent.token);
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Choose the revised report to upload');
  });

  it('uploads the revised report on the items page, then submits', async () => {
    const id = await letterSent('Anne', 'resubmit', [{ text: 'Interview the family again.' }]);
    const [item] = await itemsOf(id);
    const answered = await t
      .api('kent')
      .event(id, { type: 'RESPOND_TO_ITEM', itemId: item!.id, response: 'The family were interviewed in May.' });
    expect(answered.status).toBe(200);
    await kent.get(`/reviews/${id}/items`);
    const up = await kent.agent
      .post(`/reviews/${id}/revised-report`)
      .field('_csrf', kent.token)
      .attach('file', pdf('x'), 'revised.pdf');
    expect(up.status).toBe(302);
    expect(up.headers.location).toBe(`/reviews/${id}/items?uploaded=1#revised-report`);
    const list = await kent.get(`/reviews/${id}/items?uploaded=1`);
    expect(list.text).toContain('Revised report uploaded');
    expect(list.text).toContain('revised.pdf');
    expect(list.text).toContain('Check your answers and submit revisions</a>');
    const check = await kent.get(`/reviews/${id}/submit-revisions`);
    expect(check.text).toContain('Revised overview report');
    expect(visible(check.text)).toContain('revised.pdf, uploaded');
    expect(check.text).toContain('go back to the QA Panel');
    const docs = (await t.api('kent').get(`/reviews/${id}`)).body.documents as { kind: string }[];
    expect(docs.filter((d) => d.kind === 'revised_report')).toHaveLength(1);

    const res = await kent.form(`/reviews/${id}/submit-revisions`, { expectedVersion: '0' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('The review has changed since you read it');
    const ok = await kent.form(`/reviews/${id}/submit-revisions`, {});
    expect(ok.status).toBe(302);
    expect(await state(id)).toBe('resubmitted');
    const confirmation = await kent.get(ok.headers.location);
    expect(confirmation.text).toContain('The revised report goes back to the Quality Assurance Panel');
  });
});

describe('letters received', () => {
  it('lists every sent letter of the CSP reviews, with links to view and PDF', async () => {
    await letterSent('Lily', 'publish_after_changes', [{ text: 'Remove the date of death.' }]);
    await letterSent('Lena', 'resubmit', [{ text: 'Interview the family again.' }]);
    const kent = await signedIn(t, 'kent');
    const res = await kent.get('/letters');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Acknowledgement letter');
    expect(res.text).toContain('Publish after changes letter (round 1)');
    expect(res.text).toContain('Resubmit letter (round 1)');
    const letterId = attributesOf(res.text, 'a', 'href')
      .find((href) => /^\/letters\/\d+\/pdf$/.test(href))
      ?.split('/')[2];
    expect((await kent.get(`/letters/${letterId}`)).status).toBe(200);
    const file = await kent.agent.get(`/letters/${letterId}/pdf`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/pdf');
  });

  it('shows another CSP none of them, and is not for the Home Office', async () => {
    const hackney = await signedIn(t, 'hackney');
    const res = await hackney.get('/letters');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Mary');
    expect(res.text).toContain('No letters yet');
    const secretariat = await signedIn(t, 'secretariat');
    expect((await secretariat.get('/letters')).status).toBe(403);
  });
});

describe('scope, read-only users and forged forms', () => {
  let id: number;
  let itemId: number;

  beforeAll(async () => {
    id = await letterSent('Grace', 'publish_after_changes', [{ text: 'Add a tribute from the family.' }]);
    itemId = (await itemsOf(id))[0]!.id;
  });

  it("gives another CSP 404 for Kent's review, its items and each item, and none of them in its list", async () => {
    const hackney = await signedIn(t, 'hackney');
    for (const url of [`/reviews/${id}`, `/reviews/${id}/items`, `/reviews/${id}/items/${itemId}`]) {
      expect((await hackney.get(url)).status).toBe(404);
    }
    await hackney.get('/my-reviews');
    const post = await hackney.form(`/reviews/${id}/items/${itemId}`, { response: 'Not mine' });
    expect(post.status).toBe(404);
    expect((await hackney.form(`/reviews/${id}/submit-revisions`, {})).status).toBe(404);
    expect((await itemsOf(id))[0]!.status).toBe('open');

    const mine = await hackney.get('/my-reviews');
    const kentReviews = (await t.api('kent').get('/reviews')).body as { reference: string }[];
    for (const r of kentReviews) expect(mine.text).not.toContain(r.reference);
  });

  it('answers 404 for an item of another review or round', async () => {
    const kent = await signedIn(t, 'kent');
    const other = await letterSent('Holly', 'publish_after_changes', [{ text: 'Another area.' }]);
    const otherItem = (await itemsOf(other))[0]!.id;
    expect((await kent.get(`/reviews/${id}/items/${otherItem}`)).status).toBe(404);
    expect((await kent.get(`/reviews/${id}/items/999999`)).status).toBe(404);
    expect((await kent.get(`/reviews/${id}/items/abc`)).status).toBe(404);
  });

  it('shows a PCC the review, its items and letters with nothing to act on', async () => {
    const pcc = await signedIn(t, 'kentPcc');
    const page = await pcc.get(`/reviews/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Add a tribute from the family.');
    expect(formsOf(page.text)).toEqual([]);
    expect(page.text).not.toContain('type="file"');
    expect(page.text).not.toContain('What you can do now');
    expect(page.text).not.toContain(`/reviews/${id}/items`);

    const letters = await pcc.get('/letters');
    expect(letters.status).toBe(200);
    expect(formsOf(letters.text)).toEqual([]);
    const letterId = attributesOf(letters.text, 'a', 'href')
      .find((href) => /^\/letters\/\d+$/.test(href))
      ?.split('/')[2];
    const letter = await pcc.get(`/letters/${letterId}`);
    expect(letter.status).toBe(200);
    expect(formsOf(letter.text)).toEqual([]);

    expect((await pcc.get(`/reviews/${id}/items`)).status).toBe(403);
    expect((await pcc.get(`/reviews/${id}/items/${itemId}`)).status).toBe(403);
    const forged = await pcc.form(`/reviews/${id}/events`, { type: 'RESPOND_TO_ITEM', itemId, response: 'x' });
    expect(forged.status).toBe(403);
    expect((await itemsOf(id))[0]!.status).toBe('open');
  });

  it('refuses forms without a valid token and changes nothing', async () => {
    const kent = await signedIn(t, 'kent');
    const before = await reviewsCount();
    const notify = await kent.agent.post('/reviews/new').type('form').send({ pseudonym: 'Forged' });
    expect(notify.status).toBe(403);
    const wrong = await kent.agent
      .post('/reviews/new')
      .type('form')
      .send({ _csrf: 'not-the-token', pseudonym: 'Forged' });
    expect(wrong.status).toBe(403);
    expect(await reviewsCount()).toBe(before);

    const respond = await kent.agent
      .post(`/reviews/${id}/items/${itemId}`)
      .type('form')
      .send({ response: 'Forged answer' });
    expect(respond.status).toBe(403);
    expect((await itemsOf(id))[0]!.status).toBe('open');

    const submit = await kent.agent.post(`/reviews/${id}/submit-revisions`).type('form').send({});
    expect(submit.status).toBe(403);

    const upload = await kent.agent
      .post(`/reviews/${id}/revised-report`)
      .field('_csrf', 'not-the-token')
      .attach('file', pdf('forged'), 'forged.pdf');
    expect(upload.status).toBe(403);
    const docs = (await t.api('kent').get(`/reviews/${id}`)).body.documents as { filename: string }[];
    expect(docs.some((d) => d.filename === 'forged.pdf')).toBe(false);
  });

  it('escapes what people typed', async () => {
    // An item of its own to answer: the other tests here read this block's item as still open.
    const id = await letterSent('Gwen', 'publish_after_changes', [{ text: 'Add a tribute from the family.' }]);
    const itemId = (await itemsOf(id))[0]!.id;
    const kent = await signedIn(t, 'kent');
    await kent.get('/reviews/new');
    const res = await kent.form('/reviews/new', { pseudonym: '<script>alert(1)</script>' });
    expect(res.status).toBe(302);
    const page = await kent.get(res.headers.location);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert(1)');
    const mine = await kent.get('/my-reviews');
    expect(mine.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mine.text).not.toContain('<script>alert(1)');

    await answer(kent, id, itemId, '<script>alert("item")</script>', '<b>4.2</b>');
    const item = await kent.get(`/reviews/${id}/items/${itemId}`);
    expect(item.text).toContain('&lt;script&gt;alert(&quot;item&quot;)&lt;/script&gt;');
    expect(item.text).not.toContain('<script>alert("item")');
    const list = await kent.get(`/reviews/${id}/items`);
    expect(list.text).toContain('Changed at &lt;b&gt;4.2&lt;/b&gt;');
  });
});
