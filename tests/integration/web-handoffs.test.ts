/**
 * The steps that hand a review from one side to the other, through the pages: check your
 * answers before submitting, a last look before a letter goes, a warning before withdrawing,
 * a confirmation page after each, reinstating, and where the hand-off emails go.
 */
import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';

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
    expect(empty.text).toMatch(/<textarea[^>]*id="reason"/);
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
    expect(noReason.text).toContain('<a href="#reason">Reason must not be empty</a>');
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
    expect(confirm.text).toMatch(/To<\/dt><dd class="govuk-summary-list__value"><p[^>]*>sam@kent\.example</);
    expect(confirm.text).toMatch(/Copy to<\/dt><dd class="govuk-summary-list__value"><p[^>]*>pcc@kent\.example</);
    expect(confirm.text).toMatch(/DHR-2026-\d{4} Nell - QA Panel feedback\.pdf<\/a> \(PDF\)/);
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
    const fields = Object.fromEntries(
      [...settings.text.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const textareas = Object.fromEntries(
      [...settings.text.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)].map((m) => [m[1]!, m[2]!]),
    );
    const base = {
      ...fields,
      ...textareas,
      areaStyle: 'numbered',
      dateStyle: 'plain',
      addressIncludesCsp: 'yes',
      twoFactorForEveryone: 'no',
    };
    const bad = await secretariat.form('/admin/settings', { ...base, teamMailbox: 'not an address' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain(
      '<a href="#teamMailbox">The team mailbox must be an email address such as name@example.org</a>',
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
