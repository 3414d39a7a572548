import { createTestApp, meeting, pdf, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';
import { banner, errorSummary, linkTo, summary, visible } from '../helpers/page';

/**
 * The decision whether to hold a review: a CSP's decision not to goes to the QA panel like a
 * report (scheduled for a meeting, considered there) and the panel answers it by a letter of its
 * own, copied to the PCC. Agreed, the review ends not held; disagreed, it goes back to the CSP to
 * be held and cannot be declined again.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const REASON = 'The death followed a road traffic collision; no history of abuse was found in 年 agency records.';
const mailOf = (id: number, kind: string) => t.db('outbox').where({ review_id: id, kind }).orderBy('id');

async function notified(pseudonym: string): Promise<number> {
  return (await t.api('kent').post('/reviews', { pseudonym })).body.id as number;
}

describe('through the API', () => {
  it('takes a decision not to review to the panel, and its agreement ends the review, not held', async () => {
    const id = await notified('Ada');
    const decide = (who: 'kent' | 'hackney' | 'kentPcc' | 'panel', body: object) =>
      t.api(who).event(id, { type: 'RECORD_DECISION', ...body });

    // Bad input names its field and changes nothing.
    const noReason = await decide('kent', { decision: 'no_review' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'is required' }]);
    const badChoice = await decide('kent', { decision: 'maybe', reason: 'x' });
    expect(badChoice.body.errors).toEqual([{ field: 'decision', message: 'must be one of review, no_review' }]);
    expect((await decide('kent', { decision: 'no_review', reason: 'a\u0000b' })).body.errors[0].field).toBe('reason');
    expect((await decide('hackney', { decision: 'no_review', reason: REASON })).status).toBe(404);
    for (const who of ['kentPcc', 'panel'] as const)
      expect((await decide(who, { decision: 'no_review', reason: REASON })).status).toBe(403);
    expect((await t.api('kent').get(`/reviews/${id}`)).body).toMatchObject({ state: 'notified', decision: null });

    const declined = await decide('kent', { decision: 'no_review', reason: REASON });
    expect(declined.status).toBe(200);
    expect(declined.body.state).toBe('decision_submitted');
    expect(declined.body.decision).toMatchObject({ decision: 'no_review', reason: REASON });
    // The secretariat's team mailbox is told; nobody at the CSP is.
    const [handOff] = await mailOf(id, 'decision_submitted');
    expect(handOff.to).toEqual(['dhr-enquiries@dhr-qa.example']);
    expect(handOff.subject).toContain('Kent CSP decided not to hold a review');
    expect(handOff.text).toContain(`http://dhr-qa.test/reviews/${id}`);

    // On a meeting still to come, the view waits for its day.
    const later = '2030-06-04';
    const meetingId = await meeting(t, later);
    expect((await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId })).body.state).toBe(
      'decision_scheduled',
    );
    const early = await t.api('panel').event(id, { type: 'RECORD_PANEL_VIEW', view: 'agree', comments: '' });
    expect(early.status).toBe(409);
    expect(early.body.error).toContain('the panel meeting has not taken place yet');
    await t.meetingDay(later);

    const silent = await t.api('panel').event(id, { type: 'RECORD_PANEL_VIEW', view: 'disagree', comments: ' ' });
    expect(silent.status).toBe(422);
    expect(silent.body.errors).toEqual([
      { field: 'comments', message: 'must say why the panel disagrees: they go into its letter' },
    ]);
    expect((await t.api('kent').event(id, { type: 'RECORD_PANEL_VIEW', view: 'agree' })).status).toBe(403);
    const agreed = await t.api('panel').event(id, {
      type: 'RECORD_PANEL_VIEW',
      view: 'agree',
      comments: 'The partnership looked carefully at every agency’s records.\n\nThe panel thanks it for its care.',
    });
    expect(agreed.body.state).toBe('decision_letter_pending');
    // The CSP and the PCC learn the view from the letter, not before.
    for (const who of ['kent', 'kentPcc'] as const) {
      const seen = (await t.api(who).get(`/reviews/${id}`)).body;
      expect(seen.panelView).toBeNull();
      expect(JSON.stringify(seen.history)).not.toContain('"view"');
    }
    expect((await t.api('secretariat').get(`/reviews/${id}`)).body.panelView).toMatchObject({ view: 'agree' });
    expect((await t.api('kent').event(id, { type: 'SEND_LETTER' })).status).toBe(403);

    const sent = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(sent.status).toBe(200);
    expect(sent.body.state).toBe('not_reviewed');
    expect(sent.body.allowedEvents).toEqual([]);
    const letter = await t.db('letters').where({ review_id: id, kind: 'review_decision' }).first();
    expect(letter.status).toBe('sent');
    expect(letter.text).toContain('The QA Panel agrees with the decision not to hold a DHR.');
    expect(letter.text).toContain('at its meeting on 4 June 2030');
    // Each paragraph of the comments is a paragraph of the letter.
    expect(letter.html).toContain('<p>The partnership looked carefully at every agency’s records.</p>');
    expect(letter.html).toContain('<p>The panel thanks it for its care.</p>');
    expect(letter.pdf).not.toBeNull();
    const [mail] = await mailOf(id, 'review_decision');
    expect(mail.to).toEqual(['sam@kent.example']);
    expect(mail.cc).toEqual(['pcc@kent.example']);
    expect(mail.attach_letter).toBe(true);
    expect(mail.subject).toContain("the Quality Assurance Panel's view of the decision not to hold a DHR");

    const after = (await t.api('kent').get(`/reviews/${id}`)).body;
    expect(after.panelView).toMatchObject({ view: 'agree' });
    expect(after.letters.map((l: { kind: string }) => l.kind)).toEqual(['review_decision']);
    const types = after.history.map((h: { type: string }) => h.type);
    expect(types).toEqual(['NOTIFY', 'RECORD_DECISION', 'SCHEDULE', 'RECORD_PANEL_VIEW', 'SEND_LETTER']);
    expect(after.history[1]).toMatchObject({ decision: 'no_review', reason: REASON });
    expect(after.history[3]).toMatchObject({ view: 'agree' });
    // The CSP's clock stopped when it decided: nothing is overdue on a review not held.
    const clock = after.clocks.find((c: { stage: string }) => c.stage === 'notification_to_submission');
    expect(clock).toMatchObject({ status: 'met', endedOn: expect.any(String) });
    const ended = await t.api('kent').event(id, { type: 'SUBMIT' });
    expect(ended.status).toBe(409);
    expect(ended.body.error).toBe(
      'SUBMIT is not possible while the review is not held: the panel agreed with the decision',
    );
  });

  it('lets the CSP change its mind until the panel has a view, telling nobody twice, its clock never stopped', async () => {
    const id = await notified('Bea');
    await t.api('kent').event(id, { type: 'RECORD_DECISION', decision: 'no_review', reason: REASON });
    const meetingId = await meeting(t, '2031-01-08');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId });
    const restated = await t
      .api('kent')
      .event(id, { type: 'RECORD_DECISION', decision: 'no_review', reason: 'Fuller' });
    expect(restated.body).toMatchObject({ state: 'decision_scheduled', decision: { reason: 'Fuller' } });
    const held = await t.api('kent').event(id, { type: 'RECORD_DECISION', decision: 'review', reason: 'New facts' });
    expect(held.body).toMatchObject({ state: 'notified', decision: { decision: 'review', reason: 'New facts' } });
    expect(await mailOf(id, 'decision_submitted')).toHaveLength(1);
    // Off the meeting's agenda, and the CSP's time to submit runs on from notification as if never declined.
    expect(held.body.meeting).toBeNull();
    const agenda = (await t.api('secretariat').get(`/panel-meetings/${meetingId}`)).body;
    expect(JSON.stringify(agenda)).not.toContain('"Bea"');
    const clocks = held.body.clocks.filter((c: { stage: string }) => c.stage === 'notification_to_submission');
    expect(clocks).toHaveLength(1);
    expect(clocks[0]).toMatchObject({ endedOn: null, status: 'on_track' });
  });

  it("sends the meeting's decision letters with its feedback letters", async () => {
    const meetingId = await meeting(t);
    const id = await notified('Cara');
    await t.api('kent').event(id, { type: 'RECORD_DECISION', decision: 'no_review', reason: REASON });
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId });
    await t.api('panel').event(id, { type: 'RECORD_PANEL_VIEW', view: 'disagree', comments: 'Coercive control.' });
    const result = await t.api('secretariat').post(`/panel-meetings/${meetingId}/send-letters`);
    expect(result.status).toBe(200);
    const letter = await t.db('letters').where({ review_id: id, kind: 'review_decision' }).first('id');
    expect(result.body.sent).toEqual([{ reviewId: id, reference: expect.any(String), letterId: letter.id }]);
    expect((await t.api('kent').get(`/reviews/${id}`)).body.state).toBe('notified');
  });
});

describe('guarding the letter', () => {
  it('sends only a letter on a decision from its page, and says why one cannot go', async () => {
    // A CSP with no contact: the letter cannot reach it.
    const [csp] = await t
      .db('csps')
      .insert({ name: 'Lone CSP', police_force_area_id: t.ids.kentArea, contacts: '[]', address_lines: '[]' })
      .returning('id');
    const id = (await t.api('secretariat').post('/reviews', { cspId: csp.id, pseudonym: 'Gina' })).body.id as number;
    await t.api('secretariat').event(id, { type: 'RECORD_DECISION', decision: 'no_review', reason: REASON });
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await t.api('panel').event(id, { type: 'RECORD_PANEL_VIEW', view: 'agree', comments: '' });
    const secretariat = await signedIn(t, 'secretariat');
    const review = await secretariat.get(`/reviews/${id}`);
    expect(visible(review.text)).toContain(
      'It cannot be sent until this is put right: Lone CSP has no contact to address letters to',
    );
    const page = await secretariat.get(`/reviews/${id}/decision-letter`);
    expect(page.status).toBe(200);
    expect(visible(page.text)).toContain('The letter cannot be sent yet: Lone CSP has no contact');
    expect(page.text).not.toContain('Send the letter</button>');

    // A review waiting for its feedback letter is not sent from here.
    const other = await notified('Hope');
    for (const kind of ['overview_report', 'executive_summary', 'action_plan'])
      await t.api('kent').upload(other, kind, pdf(kind));
    await t.api('kent').event(other, { type: 'SUBMIT' });
    await t.api('secretariat').event(other, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await t.api('panel').event(other, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    await secretariat.get(`/reviews/${other}`);
    const wrong = await secretariat.form(`/reviews/${other}/decision-letter`, {});
    expect(wrong.headers.location).toBe(`/reviews/${other}`);
    expect((await t.api('secretariat').get(`/reviews/${other}`)).body.state).toBe('letter_pending');
    // Nor does a review that never had one claim its letter went.
    const claimed = await secretariat.get(`/reviews/${other}/confirmation/decision-letter-sent`);
    expect(claimed.status).toBe(302);
  });
});

describe('through the pages', () => {
  it('walks a decision the panel disagrees with from the CSP to the panel and back to the CSP, to be held', async () => {
    const id = await notified('Dora');
    const kent = await signedIn(t, 'kent');
    const page = await kent.get(`/reviews/${id}`);
    expect(linkTo(page.text, 'Record the decision whether to hold a review')).toBe(`/reviews/${id}/decision`);

    await kent.get(`/reviews/${id}/decision`);
    const empty = await kent.form(`/reviews/${id}/decision`, { expectedVersion: '1' });
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual([
      'Select whether the Community Safety Partnership will hold a review',
      'Enter the reason for the decision',
    ]);
    const typed = await kent.form(`/reviews/${id}/decision`, { reason: 'Kept as typed' });
    expect(typed.text).toContain('Kept as typed</textarea>');
    const saved = await kent.form(`/reviews/${id}/decision`, { decision: 'no_review', reason: REASON });
    expect(saved.status).toBe(302);
    expect(saved.headers.location).toBe(`/reviews/${id}/confirmation/decision-submitted`);
    const confirmation = await kent.get(saved.headers.location);
    expect(visible(confirmation.text)).toContain('Decision sent to the Home Office');
    expect(visible(confirmation.text)).toContain(
      'Until the panel has recorded its view, the decision can still be changed',
    );
    const shown = await kent.get(`/reviews/${id}`);
    expect(summary(shown.text).Decision).toContain('Do not hold a review');
    expect(summary(shown.text).State).toBe('Declined by the CSP, waiting for the panel');

    const meetingId = await meeting(t);
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId });
    const panel = await signedIn(t, 'panel');
    const agenda = await panel.get(`/meetings/${meetingId}`);
    expect(visible(agenda.text)).toContain('A decision not to hold a review');
    expect(
      linkTo(agenda.text, `Record the panel's view for ${(await t.api('kent').get(`/reviews/${id}`)).body.reference}`),
    ).toBe(`/reviews/${id}/panel-view`);
    const form = await panel.get(`/reviews/${id}/panel-view`);
    expect(visible(form.text)).toContain(REASON);
    const unsaid = await panel.form(`/reviews/${id}/panel-view`, { view: 'disagree', comments: '' });
    expect(unsaid.status).toBe(422);
    expect(errorSummary(unsaid.text)).toEqual(['Enter why the panel disagrees: it goes into the letter']);
    const recorded = await panel.form(`/reviews/${id}/panel-view`, {
      view: 'disagree',
      comments: 'The records show coercive control over many years.',
    });
    expect(recorded.status).toBe(302);
    expect(banner((await panel.get(recorded.headers.location)).text)).toBe(
      "The panel's view is recorded: the panel secretariat sends its letter",
    );
    // The panel reads the letter but only the secretariat sends it.
    expect((await panel.get(`/reviews/${id}/decision-letter`)).status).toBe(403);

    const secretariat = await signedIn(t, 'secretariat');
    // The dashboard lists the letter with the feedback letters waiting to go.
    const dashboard = await secretariat.get('/dashboard');
    expect(dashboard.text).toContain(
      `href="/reviews/${id}/decision-letter">Letter on the decision not to hold a review`,
    );
    const review = await secretariat.get(`/reviews/${id}`);
    expect(linkTo(review.text, "Read the panel's letter and send it")).toBe(`/reviews/${id}/decision-letter`);
    const preview = await secretariat.get(`/reviews/${id}/decision-letter`);
    expect(visible(preview.text)).toContain(
      'The QA Panel does not agree with the decision, and asks Kent CSP to hold a DHR.',
    );
    expect(visible(preview.text)).toContain('The records show coercive control over many years.');
    expect(visible(preview.text)).toContain('The review then goes back to Kent CSP to be held.');
    expect(await t.db('letters').where({ review_id: id })).toHaveLength(0);
    const send = await secretariat.form(`/reviews/${id}/decision-letter`, {});
    expect(send.status).toBe(302);
    const done = await secretariat.get(send.headers.location);
    expect(visible(done.text)).toContain('The panel disagreed: Kent CSP now holds the review');

    // Back with the CSP, which can no longer decline it, and whose clock runs again.
    const back = (await t.api('kent').get(`/reviews/${id}`)).body;
    expect(back.state).toBe('notified');
    expect(back.panelView).toMatchObject({ view: 'disagree' });
    const clocks = back.clocks.filter((c: { stage: string }) => c.stage === 'notification_to_submission');
    expect(clocks.map((c: { status: string }) => c.status)).toEqual(['met', 'on_track']);
    const again = await kent.get(`/reviews/${id}/decision`);
    expect(visible(again.text)).toContain('The Quality Assurance Panel disagreed');
    expect(again.text).not.toContain('No, do not hold a review');
    // Holding it is the answer, and the old reason is not offered as its reason.
    expect(again.text).toMatch(/value="review" checked/);
    expect(again.text).not.toContain(REASON);
    // The meeting keeps the decision it considered, no longer on its agenda.
    const considered = await secretariat.get(`/meetings/${meetingId}`);
    expect(visible(considered.text)).toContain('(its decision not to hold a review was considered here)');
    expect(visible((await kent.get(`/reviews/${id}`)).text)).toContain("The panel's letter on the decision sent");
    const refused = await t
      .api('kent')
      .event(id, { type: 'RECORD_DECISION', decision: 'no_review', reason: 'Still no' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('the QA panel disagreed with the decision not to hold this review');
    for (const kind of ['overview_report', 'executive_summary', 'action_plan'])
      expect((await t.api('kent').upload(id, kind, pdf(kind))).status).toBe(201);
    expect((await t.api('kent').event(id, { type: 'SUBMIT' })).body.state).toBe('submitted');
  });
});
