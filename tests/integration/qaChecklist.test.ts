import { appsForThisFile, createTestApp, meeting, memoised, reviewAt, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';
import { banner, errorSummary, inputValue, visible } from '../helpers/page';
import { SHIPPED_CRITERIA } from '../../src/qa/criteria';

/**
 * The QA checklist: the secretariat's versioned criteria, the panel's marks at its meeting,
 * the CSP's self-check before it submits, a criterion not met turned into an area of the letter
 * in one click, and the national page of the criteria reports fail most.
 */
let t: TestApp;
let notified: number;
let scheduled: number;
let meetingId: number;

beforeAll(async () => {
  t = await createTestApp();
  notified = await reviewAt(t, t.ids.kentCsp, 'notified', 'Checked');
  const submitted = await reviewAt(t, t.ids.kentCsp, 'submitted', 'Assessed');
  meetingId = await meeting(t, '2026-02-20');
  expect((await t.api('secretariat').event(submitted, { type: 'SCHEDULE', meetingId })).status).toBe(200);
  scheduled = submitted;
});
afterAll(() => t.close());

/** An app for a test that changes the criteria, which the others mark reviews against. */
const ownApp = appsForThisFile();

/** The secretariat's own criteria: the pandemic's renamed, and one of its own added. */
const SECRETARIAT_CRITERIA = [
  ...SHIPPED_CRITERIA.map((c) => (c.key === 'covid' ? { ...c, title: 'The pandemic context' } : c)),
  { title: 'Learning from other reviews', description: '', areaText: 'Draw on the learning of earlier reviews.' },
];

/**
 * An app where the panel has assessed one report, and only one, as the panel's marks test does:
 * anonymity not met, SMART recommendations partly met, the family met, and its outcome
 * recorded. The secretariat has saved its own criteria once (version 1), and a Kent review
 * is notified, for the CSP to check.
 */
const assessed = memoised(async () => {
  const t = await ownApp();
  const ok = (res: { status: number; body: unknown }, step: string) => {
    if (res.status >= 300) throw new Error(`${step}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  ok(await t.api('secretariat').put('/qa-criteria', { criteria: SECRETARIAT_CRITERIA }), 'save the criteria');
  const notified = await reviewAt(t, t.ids.kentCsp, 'notified', 'Checked');
  const review = await reviewAt(t, t.ids.kentCsp, 'submitted', 'Assessed');
  const meetingId = await meeting(t, '2026-02-20');
  ok(await t.api('secretariat').event(review, { type: 'SCHEDULE', meetingId }), 'schedule');
  const marks = [
    { criterion: 'anonymity', mark: 'not_met', note: 'A date of birth is given on page 12' },
    { criterion: 'smart_recommendations', mark: 'partly' },
    { criterion: 'family', mark: 'met', note: 'A moving tribute' },
  ];
  ok(await t.api('panel').put(`/reviews/${review}/qa-checklist`, { marks }), 'mark');
  const outcome = {
    type: 'RECORD_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: 'A careful report.',
    areas: [{ text: 'Add a glossary.' }],
  };
  ok(await t.api('panel').event(review, outcome), 'record the outcome');
  return { t, notified };
});

describe('the criteria', () => {
  it('ship as version 0, and the secretariat saves its own as new versions, keeping each criterion’s key', async () => {
    // An app of its own: the others mark reviews against the shipped criteria.
    const t = await ownApp();
    const shipped = await t.api('secretariat').get('/qa-criteria');
    expect(shipped.status).toBe(200);
    expect(shipped.body).toEqual([expect.objectContaining({ version: 0, savedAt: null })]);
    expect(shipped.body[0].criteria.map((c: { key: string }) => c.key)).toEqual(SHIPPED_CRITERIA.map((c) => c.key));
    for (const who of ['panel', 'kent', 'commissioner'] as const)
      expect((await t.api(who).get('/qa-criteria')).status).toBe(403);

    const bad = await t.api('secretariat').put('/qa-criteria', {
      criteria: [
        { title: 'Anonymity\u0000', areaText: '' },
        { title: 'x'.repeat(121), areaText: 'Fine' },
      ],
    });
    expect(bad.status).toBe(422);
    expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([
      'criteria.0.areaText',
      'criteria.0.title',
      'criteria.1.title',
    ]);
    expect((await t.api('secretariat').put('/qa-criteria', { criteria: [] })).body.errors).toEqual([
      { field: 'criteria', message: 'must have at least one criterion' },
    ]);

    const saved = await t.api('secretariat').put('/qa-criteria', { criteria: SECRETARIAT_CRITERIA });
    expect(saved.body).toEqual({ version: 1, changed: true });
    const again = await t.api('secretariat').put('/qa-criteria', {
      criteria: (await t.api('secretariat').get('/qa-criteria')).body[0].criteria,
    });
    expect(again.body).toEqual({ version: 1, changed: false });
    const [current] = (await t.api('secretariat').get('/qa-criteria')).body;
    expect(current.criteria.find((c: { key: string }) => c.key === 'covid').title).toBe('The pandemic context');
    expect(current.criteria.at(-1).key).toBe('learning_from_other_reviews');
  });
});

describe('the CSP’s self-check', () => {
  it('is made before submitting, refused for another CSP or a criterion that does not exist, and seen by the panel', async () => {
    const url = `/reviews/${notified}/qa-checklist`;
    const unknown = await t.api('kent').put(url, { marks: [{ criterion: 'astrology', mark: 'met' }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: 'marks.0.criterion', message: 'is not one of the QA criteria' }]);
    expect((await t.api('kent').put(url, { marks: [{ criterion: 'anonymity', mark: 'perfect' }] })).status).toBe(422);
    expect((await t.api('hackney').put(url, { marks: [{ criterion: 'anonymity', mark: 'met' }] })).status).toBe(404);
    expect((await t.api('kentPcc').put(url, { marks: [{ criterion: 'anonymity', mark: 'met' }] })).status).toBe(403);
    const saved = await t.api('kent').put(url, {
      marks: [
        { criterion: 'anonymity', mark: 'met', note: 'Pseudonyms agreed with the family' },
        { criterion: 'covid', mark: 'partly' },
      ],
    });
    expect(saved.body).toEqual({ source: 'csp', marked: 2 });
    const seen = (await t.api('secretariat').get(url)).body;
    expect(seen.markingAs).toBeNull();
    expect(seen.selfCheck.map((m: { criterion: string; mark: string }) => [m.criterion, m.mark])).toEqual([
      ['anonymity', 'met'],
      ['covid', 'partly'],
    ]);
    const history = (await t.api('kent').get(`/reviews/${notified}`)).body.history;
    expect(history.at(-1)).toMatchObject({ type: 'QA_SELF_CHECK_RECORDED' });
  });
});

describe("the panel's marks", () => {
  it('are made while the review is on the agenda, kept from the CSP, and offered as areas on the outcome step', async () => {
    const url = `/reviews/${scheduled}/qa-checklist`;
    const marked = await t.api('panel').put(url, {
      marks: [
        { criterion: 'anonymity', mark: 'not_met', note: 'A date of birth is given on page 12' },
        { criterion: 'smart_recommendations', mark: 'partly' },
        { criterion: 'family', mark: 'met' },
      ],
    });
    expect(marked.body).toEqual({ source: 'panel', marked: 3 });
    // Marked again: the mark is replaced, not repeated.
    await t.api('panel').put(url, { marks: [{ criterion: 'family', mark: 'met', note: 'A moving tribute' }] });
    const ho = (await t.api('secretariat').get(url)).body;
    expect(ho.markingAs).toBe('panel');
    expect(ho.panel).toHaveLength(3);
    expect((await t.api('kent').get(url)).body.panel).toEqual([]);
    expect((await t.api('kent').put(url, { marks: [{ criterion: 'family', mark: 'met' }] })).status).toBe(409);

    const secretariat = await signedIn(t, 'secretariat');
    const outcome = `/meetings/${meetingId}/reviews/${scheduled}/outcome`;
    await secretariat.get(outcome);
    const split = await secretariat.form(outcome, {
      action: 'split',
      outcome: 'publish_after_changes',
      commendations: 'A careful report.',
      pasted: '1. Add a glossary.',
    });
    expect(visible(split.text)).toContain('Criteria the panel did not find met');
    expect(visible(split.text)).toContain('Anonymity : Not met. A date of birth is given on page 12');
    expect(split.text).toContain('value="criterion:smart_recommendations"');
    expect(split.text).not.toContain('value="criterion:family"');
    const rows = (html: string) => Number(/name="rows" value="(\d+)"/.exec(html)![1]);
    const added = await secretariat.form(outcome, {
      action: 'criterion:anonymity',
      outcome: 'publish_after_changes',
      commendations: 'A careful report.',
      pasted: '1. Add a glossary.',
      rows: String(rows(split.text)),
      'areas-0-heading': '',
      'areas-0-text': 'Add a glossary.',
      'areas-0-points': '',
    });
    expect(added.status).toBe(200);
    expect(inputValue(added.text, 'areas-0-text')).toBe('Add a glossary.');
    expect(inputValue(added.text, 'areas-1-heading')).toBe('Anonymity');
    expect(inputValue(added.text, 'areas-1-text')).toBe(SHIPPED_CRITERIA[0]!.areaText);
    expect(added.text).toContain('A date of birth is given on page 12</textarea>');
    expect(visible(added.text)).toContain('(added as an area)');
    // Pressed again (a double click), it adds nothing more.
    const twice = await secretariat.form(outcome, {
      action: 'criterion:anonymity',
      outcome: 'publish_after_changes',
      commendations: 'A careful report.',
      rows: '2',
      'areas-0-text': 'Add a glossary.',
      'areas-1-heading': 'Anonymity',
      'areas-1-text': SHIPPED_CRITERIA[0]!.areaText,
      'areas-1-points': 'A date of birth is given on page 12',
    });
    expect(twice.text.match(/value="Anonymity"/g)).toHaveLength(1);

    const saved = await secretariat.form(outcome, {
      action: 'save',
      expectedVersion: String((await t.api('secretariat').get(`/reviews/${scheduled}`)).body.version),
      outcome: 'publish_after_changes',
      commendations: 'A careful report.',
      rows: '2',
      'areas-0-text': 'Add a glossary.',
      'areas-1-heading': 'Anonymity',
      'areas-1-text': SHIPPED_CRITERIA[0]!.areaText,
      'areas-1-points': 'A date of birth is given on page 12',
    });
    expect(saved.status).toBe(302);
    const items = (await t.api('secretariat').get(`/reviews/${scheduled}`)).body.rounds.at(-1).items;
    expect(items.at(-1)).toMatchObject({
      heading: 'Anonymity',
      text: SHIPPED_CRITERIA[0]!.areaText,
      points: ['A date of birth is given on page 12'],
    });
  });
});

describe('nationally', () => {
  it('counts the criteria the panel found not met or partly met, by the year of its meeting, the most failed first', async () => {
    const { t } = await assessed();
    const res = await t.api('panel').get('/national/qa-criteria');
    expect(res.status).toBe(200);
    expect(res.body.years).toEqual([2026]);
    expect(res.body.criteria.map((c: { key: string; failing: number }) => [c.key, c.failing])).toEqual([
      ['anonymity', 1],
      ['smart_recommendations', 1],
      ['family', 0],
    ]);
    expect(res.body.criteria[0].byYear).toEqual([{ year: 2026, assessed: 1, notMet: 1, partly: 0 }]);
    // Oversight counts published reviews only; a CSP does not see the national figures.
    expect((await t.api('commissioner').get('/national/qa-criteria')).body.criteria).toEqual([]);
    expect((await t.api('kent').get('/national/qa-criteria')).status).toBe(403);
  });
});

describe('through the pages', () => {
  it('the CSP self-checks with GOV.UK errors, and the secretariat edits the criteria, mistakes first', async () => {
    const { t, notified } = await assessed();
    const csp = await signedIn(t, 'kent');
    const review = await csp.get(`/reviews/${notified}`);
    expect(review.text).toContain(`href="/reviews/${notified}/qa-checklist"`);
    const page = await csp.get(`/reviews/${notified}/qa-checklist`);
    expect(page.status).toBe(200);
    expect(visible(page.text)).toContain('Check your report against the QA criteria');
    const none = await csp.form(`/reviews/${notified}/qa-checklist`, {});
    expect(none.status).toBe(422);
    expect(errorSummary(none.text)).toEqual(['Select met, partly met or not met for at least one criterion']);
    expect(none.text).toContain('href="#mark-anonymity"');
    const long = await csp.form(`/reviews/${notified}/qa-checklist`, {
      'mark-equality': 'partly',
      'note-equality': 'x'.repeat(2001),
    });
    expect(errorSummary(long.text)).toEqual(['The note on Equality and diversity must be 2,000 characters or fewer']);
    expect(long.text).toContain('href="#note-equality"');
    const ok = await csp.form(`/reviews/${notified}/qa-checklist`, {
      'mark-equality': 'partly',
      'note-equality': 'Brief',
    });
    expect(ok.status).toBe(302);
    expect(banner((await csp.get(ok.headers.location)).text)).toContain('Checklist saved');

    const secretariat = await signedIn(t, 'secretariat');
    const admin = await secretariat.get('/admin/qa-criteria');
    expect(admin.status).toBe(200);
    expect(visible(admin.text)).toContain('Version 1');
    const count = Number(/name="rows" value="(\d+)"/.exec(admin.text)![1]);
    const empty = await secretariat.form('/admin/qa-criteria', {
      action: 'save',
      rows: String(count),
      'criteria-0-key': 'anonymity',
      'criteria-0-title': '',
      'criteria-0-areaText': 'Remove names.',
    });
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Enter the title of criterion 1, or tick Remove']);
    expect(empty.text).toContain('href="#criteria-0-title"');
    const national = await (await signedIn(t, 'panel')).get('/national/qa-criteria');
    expect(visible(national.text)).toContain('Anonymity 1 not met, 0 partly met, of 1');
  });
});

describe('mistakes and races', () => {
  it('refuses a save from a page opened before someone else saved, saying who, and keeps their marks', async () => {
    const review = await reviewAt(t, t.ids.kentCsp, 'submitted', 'Raced');
    const meetingAt = await meeting(t, '2026-02-21');
    await t.api('secretariat').event(review, { type: 'SCHEDULE', meetingId: meetingAt });
    const panel = await signedIn(t, 'panel');
    const opened = await panel.get(`/reviews/${review}/qa-checklist`);
    const since = /name="since" value="([^"]+)"/.exec(opened.text)![1]!;
    await t.api('secretariat').put(`/reviews/${review}/qa-checklist`, {
      marks: [{ criterion: 'anonymity', mark: 'not_met', note: 'Date of birth on page 12' }],
    });
    const stale = await panel.form(`/reviews/${review}/qa-checklist`, { since, 'mark-anonymity': 'met' });
    expect(stale.status).toBe(409);
    expect(errorSummary(stale.text)[0]).toMatch(/^Test secretariat saved this checklist after you opened it/);
    const marks = (await t.api('panel').get(`/reviews/${review}/qa-checklist`)).body.panel;
    expect(marks.map((m: { mark: string }) => m.mark)).toEqual(['not_met']);
    // The CSP is not told the panel marked its report.
    const history = (await t.api('kent').get(`/reviews/${review}`)).body.history;
    expect(history.map((h: { type: string }) => h.type)).not.toContain('QA_CHECKLIST_MARKED');
  });

  it('asks for the mark of a criterion given only a note, and shows why a save is refused after submitting', async () => {
    const csp = await signedIn(t, 'kent');
    await csp.get(`/reviews/${notified}/qa-checklist`);
    const orphan = await csp.form(`/reviews/${notified}/qa-checklist`, { 'note-family': 'An important note' });
    expect(orphan.status).toBe(422);
    expect(errorSummary(orphan.text)).toEqual([
      'Select met, partly met or not met for Family engagement and a tribute, or clear its note',
    ]);
    const submitted = await reviewAt(t, t.ids.kentCsp, 'submitted', 'Sent');
    const late = await csp.form(`/reviews/${submitted}/qa-checklist`, { 'mark-anonymity': 'met' });
    expect(late.status).toBe(409);
    expect(errorSummary(late.text)[0]).toMatch(/^A self-check is made before the report is submitted/);
  });

  it('never gives a new criterion the key of another, even one removed, and keeps keys within 60 characters', async () => {
    // An app of its own: it removes a criterion the others mark.
    const t = await ownApp();
    const [current] = (await t.api('secretariat').get('/qa-criteria')).body;
    const long = 'a'.repeat(60);
    const saved = await t.api('secretariat').put('/qa-criteria', {
      criteria: [
        ...current.criteria.filter((c: { key: string }) => c.key !== 'anonymity'),
        { title: 'Anonymity', areaText: 'Remove names.' },
        { title: `${long} one`, areaText: 'One.' },
        { title: `${long} two`, areaText: 'Two.' },
      ],
    });
    expect(saved.status).toBe(200);
    const [after] = (await t.api('secretariat').get('/qa-criteria')).body;
    const keys = after.criteria.map((c: { key: string }) => c.key);
    expect(keys).toContain('anonymity_2');
    expect(keys).not.toContain('anonymity');
    expect(keys.every((k: string) => k.length <= 60)).toBe(true);
    // The list sent back as it reads saves nothing new.
    expect((await t.api('secretariat').put('/qa-criteria', { criteria: after.criteria })).body.changed).toBe(false);
  });
});
