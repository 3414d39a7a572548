/**
 * The steps that hand a review from one side to the other, through the pages: check your
 * answers before submitting, a last look before a letter goes, a warning before withdrawing,
 * a confirmation page after each, reinstating, and where the hand-off emails go.
 */
import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';
import { inputValue, summary, visible, formValues } from '../helpers/page';
import { signedIn } from '../helpers/web';
import { up as fillWithdrawnFrom } from '../../migrations/20261202000000_withdrawn_from';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const state = async (id: number) => (await t.api('secretariat').get(`/reviews/${id}`)).body.state as string;
const mailOf = async (id: number, kind: string) => t.db('outbox').where({ review_id: id, kind }).orderBy('id');

async function notifiedWithDocuments(pseudonym: string): Promise<number> {
  const id = (await t.api('kent').post('/reviews', { pseudonym, yearOfDeath: 2025 })).body.id as number;
  for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
    await t.api('kent').upload(id, kind, pdf(kind), `${kind}.pdf`);
  }
  return id;
}

describe('submitting a review', () => {
  it('shows the CSP its answers and documents with a declaration, and changes nothing until accepted', async () => {
    const id = await notifiedWithDocuments('Iris');
    const kent = await signedIn(t, 'kent');
    const review = await kent.get(`/reviews/${id}`);
    expect(review.text).toContain(`href="/reviews/${id}/submit">Submit to the Home Office</a>`);
    const check = await kent.get(`/reviews/${id}/submit`);
    expect(check.status).toBe(200);
    expect(check.text).toContain('Check your answers before submitting the review');
    expect(check.text).toMatch(
      /Overview report<\/dt>\s*<dd class="govuk-summary-list__value"><p[^>]*>overview_report\.pdf/,
    );
    expect(check.text).toContain('Year of death</dt><dd class="govuk-summary-list__value">2025');
    expect(check.text).toContain('real names and dates of birth have been removed');
    expect(await state(id)).toBe('notified');

    const res = await kent.form(`/reviews/${id}/submit`, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/reviews/${id}/confirmation/submitted`);
    expect(await state(id)).toBe('submitted');
    const done = await kent.get(res.headers.location);
    expect(done.text).toContain('<h1 class="govuk-panel__title">Review submitted</h1>');
    expect(done.text).toContain('an acknowledgement is on its way by email to Kent CSP');
    expect(done.text).toContain('href="/my-reviews">Back to my reviews</a>');
    // Submitted twice (a second tab, a double click): the second is refused with the reason, nothing changes.
    const again = await kent.form(`/reviews/${id}/submit`, {});
    expect(again.status).toBe(409);
    expect(again.text).toContain('govuk-error-summary');
    expect((await mailOf(id, 'review_submitted')).length).toBe(1);
    // The check page of a submitted review has nothing to submit: back to the review.
    expect((await kent.get(`/reviews/${id}/submit`)).headers.location).toBe(`/reviews/${id}`);
  });

  it('refuses a stale page (the review changed since it was read) with the reason', async () => {
    const id = await notifiedWithDocuments('Jade');
    const kent = await signedIn(t, 'kent');
    await kent.get(`/reviews/${id}/submit`);
    const res = await kent.form(`/reviews/${id}/submit`, { expectedVersion: '1' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('The review has changed since you read it');
    expect(await state(id)).toBe('notified');
  });

  it('goes to the review page when a confirmation does not match where the review is', async () => {
    const id = await notifiedWithDocuments('Kim');
    const kent = await signedIn(t, 'kent');
    for (const step of ['submitted', 'withdrawn', 'nonsense', 'constructor', '__proto__']) {
      const res = await kent.get(`/reviews/${id}/confirmation/${step}`);
      expect({ step, status: res.status, location: res.headers.location }).toEqual({
        step,
        status: 302,
        location: `/reviews/${id}`,
      });
    }
  });
});

describe('withdrawing and reinstating', () => {
  it('warns before withdrawing, asks for a reason in GOV.UK words, keeps what was typed, and confirms', async () => {
    const id = await submittedReview(t, 'Lena');
    const secretariat = await signedIn(t, 'secretariat');
    const page = await secretariat.get(`/reviews/${id}`);
    expect(page.text).toContain(`href="/reviews/${id}/withdraw">Withdraw the review</a>`);
    const warn = await secretariat.get(`/reviews/${id}/withdraw`);
    expect(warn.text).toContain('govuk-warning-text');
    expect(warn.text).toContain('Only the panel secretariat can reinstate a withdrawn review');

    const empty = await secretariat.form(`/reviews/${id}/withdraw`, { reason: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('<a href="#reason">Enter why the review is being withdrawn</a>');
    expect(empty.text).toContain('id="reason-error"');
    expect(inputValue(empty.text, 'reason')).toBe('   ');
    expect(await state(id)).toBe('submitted');

    const res = await secretariat.form(`/reviews/${id}/withdraw`, { reason: 'Notified twice' });
    expect(res.headers.location).toBe(`/reviews/${id}/confirmation/withdrawn`);
    const done = await secretariat.get(res.headers.location);
    expect(done.text).toContain('<h1 class="govuk-panel__title">Review withdrawn</h1>');
    expect(done.text).toContain('can reinstate it from its page');

    const withdrawn = await secretariat.get(`/reviews/${id}`);
    expect(withdrawn.text).toContain('The review goes back to where it was when it was withdrawn: Submitted.');
    const noReason = await secretariat.form(`/reviews/${id}/events`, { type: 'REINSTATE', reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('<a href="#reason">Enter why the review is being reinstated</a>');
    await secretariat.get(`/reviews/${id}`);
    const back = await secretariat.form(`/reviews/${id}/events`, { type: 'REINSTATE', reason: 'Withdrawn in error' });
    expect(back.headers.location).toBe(`/reviews/${id}?done=REINSTATE`);
    expect((await secretariat.get(back.headers.location)).text).toContain('Review reinstated');
    expect(await state(id)).toBe('submitted');
  });

  it('is not for the CSP, whose review page offers neither', async () => {
    const id = await submittedReview(t, 'Mina');
    const kent = await signedIn(t, 'kent');
    expect((await kent.get(`/reviews/${id}`)).text).not.toContain('/withdraw');
    expect((await kent.get(`/reviews/${id}/withdraw`)).headers.location).toBe(`/reviews/${id}`);
    expect((await kent.form(`/reviews/${id}/withdraw`, { reason: 'Mine' })).status).toBe(403);
    expect(await state(id)).toBe('submitted');
  });
});

describe('sending a letter', () => {
  it('shows To, the PCC in copy, the attachment and the letter, with a warning, before it goes', async () => {
    const id = await submittedReview(t, 'Nell');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'A careful report.',
      areas: [{ text: 'Remove the date of death.' }],
    });
    const letterId = (await t.api('secretariat').get(`/reviews/${id}`)).body.letters.at(-1).id as number;
    const secretariat = await signedIn(t, 'secretariat');
    expect((await secretariat.get(`/letters/${letterId}`)).text).toContain(
      `href="/letters/${letterId}/send">Check and send the letter</a>`,
    );
    const confirm = await secretariat.get(`/letters/${letterId}/send`);
    expect(confirm.text).toContain('Check the letter before you send it');
    expect(summary(confirm.text)).toMatchObject({ To: 'sam@kent.example', 'Copy to': 'pcc@kent.example' });
    expect(visible(confirm.text)).toMatch(/DHR-2026-\d{4} Nell - QA Panel feedback\.pdf \(PDF\)/);
    expect(confirm.text).toContain('Remove the date of death.');
    expect(confirm.text).toContain('Once it is sent, the letter cannot be changed or recalled.');
    expect(await state(id)).toBe('letter_pending');

    const sent = await secretariat.form(`/letters/${letterId}/send`, {});
    expect(sent.headers.location).toBe(`/reviews/${id}/confirmation/letter-sent`);
    expect(await state(id)).toBe('revising');
    const done = await secretariat.get(sent.headers.location);
    expect(done.text).toContain('<h1 class="govuk-panel__title">Feedback letter sent</h1>');
    expect(done.text).toContain('Kent CSP can now answer the revision items');
    // A sent letter has no send step: its page shows it as sent.
    expect((await secretariat.get(`/letters/${letterId}/send`)).text).not.toContain('Check the letter before');
  });
});

describe('the team mailbox', () => {
  it('takes the hand-offs to the secretariat once set, and the DHR mailbox stays the reply address', async () => {
    const secretariat = await signedIn(t, 'secretariat');
    const settings = await secretariat.get('/admin/settings');
    expect(settings.text).toContain('Team mailbox (optional)');
    const base = {
      ...formValues(settings.text),
      areaStyle: 'numbered',
      dateStyle: 'plain',
      addressIncludesCsp: 'yes',
      twoFactorForEveryone: 'no',
    };
    const bad = await secretariat.form('/admin/settings', { ...base, teamMailbox: 'not an address' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain(
      '<a href="#teamMailbox">Enter the team mailbox in the correct format, like name@example.org</a>',
    );
    const saved = await secretariat.form('/admin/settings', { ...base, teamMailbox: 'dhr-team@homeoffice.example' });
    expect(saved.status).toBe(302);

    const id = await submittedReview(t, 'Opal');
    const [notice] = await mailOf(id, 'review_submitted');
    expect(notice).toMatchObject({ to: ['dhr-team@homeoffice.example'], reply_to: 'dhr-enquiries@dhr-qa.example' });

    // Emptied, the hand-offs go to the DHR mailbox again.
    await secretariat.get('/admin/settings');
    await secretariat.form('/admin/settings', { ...base, teamMailbox: '' });
    const other = await submittedReview(t, 'Pearl');
    expect((await mailOf(other, 'review_submitted'))[0].to).toEqual(['dhr-enquiries@dhr-qa.example']);
  });

  it('hand-off emails are house templates the secretariat can reword', async () => {
    const saved = await t.api('secretariat').put('/letter-templates/review_submitted.subject', {
      body: 'New report to schedule: {{reference}} from {{cspName}}',
    });
    expect(saved.status).toBe(200);
    const id = await submittedReview(t, 'Quinn');
    const [notice] = await mailOf(id, 'review_submitted');
    expect(notice.subject).toMatch(/^New report to schedule: DHR-2026-\d{4} from Kent CSP$/);
    const unknown = await t
      .api('secretariat')
      .put('/letter-templates/review_submitted.subject', { body: '{{reasonForDelay}}' });
    expect(unknown.status).toBe(422);
  });
});

describe('correcting a document uploaded in error', () => {
  it('replaces or removes a document before submission, keeping the old one in the history', async () => {
    const id = await notifiedWithDocuments('Rosa');
    await t.api('kent').upload(id, 'overview_report', pdf('second'), 'overview copy.pdf');
    const kent = await signedIn(t, 'kent');
    let page = await kent.get(`/reviews/${id}`);
    const docs = (await t.api('kent').get(`/reviews/${id}`)).body.documents as { id: number; filename: string }[];
    const first = docs.find((d) => d.filename === 'overview_report.pdf')!;
    const copy = docs.find((d) => d.filename === 'overview copy.pdf')!;
    expect(page.text).toContain(`href="/reviews/${id}/documents/${copy.id}/remove">Remove`);

    const warn = await kent.get(`/reviews/${id}/documents/${copy.id}/remove`);
    expect(warn.text).toContain('The document is not deleted');
    const removed = await kent.form(`/reviews/${id}/documents/${copy.id}/remove`, {});
    expect(removed.headers.location).toBe(`/reviews/${id}?removed=${copy.id}`);
    page = await kent.get(removed.headers.location);
    expect(page.text).toContain('overview copy.pdf removed: it is kept in the history');
    expect(page.text).toContain('Removed and replaced documents (1)');
    expect(page.text).toMatch(
      /<h3 class="govuk-heading-s app-timeline__title">Document removed: overview copy\.pdf<\/h3>/,
    );
    // Still there to read, from the history.
    expect((await kent.agent.get(`/reviews/${id}/documents/${copy.id}`)).status).toBe(200);

    await kent.get(`/reviews/${id}/documents/${first.id}/replace`);
    const empty = await kent.agent.post(`/reviews/${id}/documents/${first.id}/replace`).field('_csrf', kent.token);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('<a href="#file">Choose the new overview report to upload</a>');
    const replaced = await kent.agent
      .post(`/reviews/${id}/documents/${first.id}/replace`)
      .field('_csrf', kent.token)
      .attach('file', pdf('final'), 'overview final.pdf');
    expect(replaced.status).toBe(302);
    page = await kent.get(replaced.headers.location);
    expect(page.text).toContain('overview final.pdf replaces overview_report.pdf as the overview report');
    expect(page.text).toContain('Document uploaded: overview final.pdf, replacing overview_report.pdf');
    const after = (await t.api('kent').get(`/reviews/${id}`)).body;
    expect(after.documents.map((d: { filename: string }) => d.filename).sort()).toEqual([
      'action_plan.pdf',
      'executive_summary.pdf',
      'overview final.pdf',
    ]);
    expect(
      after.removedDocuments.map((d: { filename: string; replacedBy: unknown }) => [d.filename, d.replacedBy]),
    ).toEqual([
      ['overview_report.pdf', { id: expect.any(Number), filename: 'overview final.pdf' }],
      ['overview copy.pdf', null],
    ]);

    // Removing the only overview report holds the submission back until another is uploaded.
    const last = after.documents.find((d: { filename: string }) => d.filename === 'overview final.pdf');
    await kent.get(`/reviews/${id}/documents/${last.id}/remove`);
    await kent.form(`/reviews/${id}/documents/${last.id}/remove`, {});
    expect((await kent.get(`/reviews/${id}`)).text).not.toContain('Submit to the Home Office');
    const submit = await t.api('kent').event(id, { type: 'SUBMIT' });
    expect(submit.status).toBe(409);
    // A removed document cannot be removed again.
    const again = await t.api('kent').event(id, { type: 'REMOVE_DOCUMENT', documentId: last.id });
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([{ field: 'documentId', message: 'is not a current document of this review' }]);
  });

  it('once submitted, documents stay as they were handed over', async () => {
    const id = await submittedReview(t, 'Sage');
    const [doc] = (await t.api('kent').get(`/reviews/${id}`)).body.documents as { id: number }[];
    const kent = await signedIn(t, 'kent');
    expect((await kent.get(`/reviews/${id}`)).text).not.toContain('/remove"');
    expect((await kent.get(`/reviews/${id}/documents/${doc!.id}/remove`)).status).toBe(404);
    const res = await t.api('kent').event(id, { type: 'REMOVE_DOCUMENT', documentId: doc!.id });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('REMOVE_DOCUMENT is not possible while the review is submitted');
    // Another CSP cannot even find it.
    const hackney = await signedIn(t, 'hackney');
    expect((await hackney.get(`/reviews/${id}/documents/${doc!.id}/replace`)).status).toBe(404);
  });
});

describe("correcting the review's details", () => {
  it('changes the pseudonym and year of death, and the history says what they were', async () => {
    const id = await notifiedWithDocuments('Tia');
    const kent = await signedIn(t, 'kent');
    expect((await kent.get(`/reviews/${id}`)).text).toContain(`href="/reviews/${id}/details"`);
    const form = await kent.get(`/reviews/${id}/details`);
    expect(inputValue(form.text, 'pseudonym')).toBe('Tia');
    const fields = {
      pseudonym: 'Tia',
      yearOfDeath: '2025',
      'notifiedOn-day': '2',
      'notifiedOn-month': '3',
      'notifiedOn-year': '2026',
    };

    const same = await kent.form(`/reviews/${id}/details`, fields);
    expect(same.status).toBe(422);
    expect(same.text).toContain('Nothing was changed: the details are as they were');

    const bad = await kent.form(`/reviews/${id}/details`, {
      ...fields,
      pseudonym: '',
      yearOfDeath: '0000',
      'notifiedOn-month': '13',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<a href="#pseudonym">Enter a pseudonym</a>');
    expect(bad.text).toContain('<a href="#yearOfDeath">Year of death must be 1950 or later</a>');
    expect(bad.text).toContain(
      '<a href="#notifiedOn-day">Date notified must be a real date, for example 27 3 2026</a>',
    );
    expect(bad.text).toContain('name="notifiedOn-month" type="text" inputmode="numeric" value="13"');
    const future = await kent.form(`/reviews/${id}/details`, { ...fields, 'notifiedOn-year': '2027' });
    expect(future.text).toContain('<a href="#notifiedOn-day">Date notified must be today or in the past</a>');
    expect((await t.api('kent').get(`/reviews/${id}`)).body.pseudonym).toBe('Tia');

    const twice = await kent.form(`/reviews/${id}/details`, { ...fields, pseudonym: ['Adult B', 'Adult C'] });
    expect(twice.status).toBe(422);
    expect((await t.api('kent').get(`/reviews/${id}`)).body.pseudonym).toBe('Tia');
    await kent.get(`/reviews/${id}/details`);
    const saved = await kent.form(`/reviews/${id}/details`, { ...fields, pseudonym: 'Adult B', yearOfDeath: '' });
    expect(saved.headers.location).toBe(`/reviews/${id}?done=EDIT_DETAILS`);
    const page = await kent.get(saved.headers.location);
    expect(page.text).toContain('Review details changed: pseudonym, year of death');
    expect(page.text).toContain('<li>Pseudonym: Tia → Adult B</li>');
    expect(page.text).toContain('<li>Year of death: 2025 → not given</li>');
    expect((await t.api('kent').get(`/reviews/${id}`)).body).toMatchObject({ pseudonym: 'Adult B', yearOfDeath: null });
  });

  it('is not for the PCC, the panel or another CSP', async () => {
    const id = await submittedReview(t, 'Uma');
    const body = { type: 'EDIT_DETAILS', pseudonym: 'X', yearOfDeath: null, notifiedOn: '2026-03-01' };
    expect((await t.api('kentPcc').event(id, body)).status).toBe(403);
    expect((await t.api('panel').event(id, body)).status).toBe(403);
    expect((await t.api('hackney').event(id, body)).status).toBe(404);
    expect((await t.api('kent').get(`/reviews/${id}`)).body.pseudonym).toBe('Uma');
  });
});

describe('replacing a document through the API', () => {
  it('takes `replaces` with the upload, and refuses one that is not a current document of the review', async () => {
    const id = await notifiedWithDocuments('Vera');
    const other = await notifiedWithDocuments('Wren');
    const overview = (await t.api('kent').get(`/reviews/${id}`)).body.documents[0] as { id: number; kind: string };
    const foreign = (await t.api('kent').get(`/reviews/${other}`)).body.documents[0] as { id: number };
    const send = (replaces: string) => t.api('kent').upload(id, overview.kind, pdf('v2'), 'v2.pdf', replaces);
    expect((await send('abc')).body.errors).toEqual([
      { field: 'replaces', message: "must be the id of one of the review's documents" },
    ]);
    expect((await send(String(foreign.id))).status).toBe(404);
    const ok = await send(String(overview.id));
    expect(ok.status).toBe(201);
    const review = (await t.api('kent').get(`/reviews/${id}`)).body;
    expect(review.removedDocuments).toEqual([
      expect.objectContaining({ id: overview.id, replacedBy: { id: ok.body.id, filename: 'v2.pdf' } }),
    ]);
    expect(review.history.at(-1)).toMatchObject({
      type: 'ATTACH_DOCUMENT',
      document: { filename: 'v2.pdf', replaces: `${overview.kind}.pdf` },
    });
  });
});

describe('what a correction leaves behind', () => {
  it('shows removed documents and old details to the Home Office and the CSP, not to the PCC', async () => {
    const id = await notifiedWithDocuments('Xena');
    const kent = await signedIn(t, 'kent');
    const [first] = (await t.api('kent').get(`/reviews/${id}`)).body.documents as { id: number }[];
    await t.api('kent').event(id, { type: 'REMOVE_DOCUMENT', documentId: first!.id });
    await t
      .api('kent')
      .event(id, { type: 'EDIT_DETAILS', pseudonym: 'Adult C', yearOfDeath: 2025, notifiedOn: '2026-03-02' });
    for (const who of ['kent', 'secretariat'] as const) {
      const seen = (await t.api(who).get(`/reviews/${id}`)).body;
      expect(seen.removedDocuments).toHaveLength(1);
      expect(seen.history.at(-1).changes).toEqual([{ field: 'pseudonym', from: 'Xena', to: 'Adult C' }]);
      expect((await t.api(who).get(`/reviews/${id}/documents/${first!.id}`)).status).toBe(200);
    }
    await t.api('kent').event(id, { type: 'SUBMIT' });
    const pcc = (await t.api('kentPcc').get(`/reviews/${id}`)).body;
    expect(pcc.removedDocuments).toEqual([]);
    expect(pcc.history.find((h: { type: string }) => h.type === 'EDIT_DETAILS').changes).toBeUndefined();
    expect((await t.api('kentPcc').get(`/reviews/${id}/documents/${first!.id}`)).status).toBe(404);
    expect((await kent.get(`/reviews/${id}`)).text).toContain('Pseudonym: Xena → Adult C');
  });

  it('refuses a replacement of another kind, a pseudonym on two lines, and a new name while a letter is a draft', async () => {
    const id = await notifiedWithDocuments('Yola');
    const docs = (await t.api('kent').get(`/reviews/${id}`)).body.documents as { id: number; kind: string }[];
    const summary = docs.find((d) => d.kind === 'executive_summary')!;
    const other = await t.api('kent').upload(id, 'other', pdf('x'), 'x.pdf', String(summary.id));
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([
      { field: 'kind', message: 'must be executive_summary, the kind of the document it replaces' },
    ]);
    const twoLines = await t
      .api('kent')
      .event(id, { type: 'EDIT_DETAILS', pseudonym: 'A\r\nBcc: x@y', yearOfDeath: null, notifiedOn: '2026-03-02' });
    expect(twoLines.body.errors).toEqual([{ field: 'pseudonym', message: 'must be on one line' }]);

    await t.api('kent').event(id, { type: 'SUBMIT' });
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await t.api('panel').event(id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    const renamed = await t
      .api('kent')
      .event(id, { type: 'EDIT_DETAILS', pseudonym: 'Adult D', yearOfDeath: 2025, notifiedOn: '2026-03-02' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error).toMatch(/^The pseudonym cannot change while the feedback letter is a draft/);
    // Other details can still be corrected.
    const year = await t
      .api('kent')
      .event(id, { type: 'EDIT_DETAILS', pseudonym: 'Yola', yearOfDeath: 2024, notifiedOn: '2026-03-02' });
    expect(year.status).toBe(200);
  });

  it('reinstates a review withdrawn while on hold before the state was kept, and it can be resumed', async () => {
    const id = await submittedReview(t, 'Zia');
    await t.api('secretariat').event(id, { type: 'PAUSE', category: 'criminal_trial', reason: 'Trial' });
    await t.api('secretariat').event(id, { type: 'WITHDRAW', reason: 'By mistake' });
    // As the earlier machine left it: where it was paused from forgotten, nothing kept of where it was withdrawn from.
    const row = await t.db('reviews').where({ id }).first('context');
    const { withdrawnFrom: _w, ...old } = row.context;
    await t
      .db('reviews')
      .where({ id })
      .update({ context: JSON.stringify({ ...old, pausedFrom: null }) });
    await fillWithdrawnFrom(t.db);
    const back = await t.api('secretariat').event(id, { type: 'REINSTATE', reason: 'Withdrawn in error' });
    expect(back.body).toMatchObject({ state: 'on_hold', pausedFrom: 'submitted' });
    expect((await t.api('secretariat').event(id, { type: 'RESUME' })).body.state).toBe('submitted');
  });
});
