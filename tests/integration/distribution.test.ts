/**
 * Who must receive the final report: a dated list per approved review (the Home Office, the
 * Domestic Abuse Commissioner, the PCC, the family, the DHR Library), each entry with its
 * evidence (an email sent through the outbox, or a note), and a review closed only once the
 * list is complete.
 */
import { createTestApp, reviewAt, type TestApp } from '../helpers/app';
import { errorSummary, section, visible } from '../helpers/page';
import { signedIn } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const record = (who: 'kent' | 'secretariat' | 'panel' | 'commissioner', id: number, body: object) =>
  t.api(who).post(`/reviews/${id}/distribution`, body);
const entryOf = async (id: number, recipient: string) =>
  (
    (await t.api('secretariat').get(`/reviews/${id}/distribution`)).body.lines as {
      recipient: string;
      entry: { sentOn: string; how: string; note: string | null; mailedTo: string } | null;
    }[]
  ).find((l) => l.recipient === recipient)!.entry;

describe('the distribution list', () => {
  it('records each copy with its evidence, sends the emailable ones with the weblink, and then lets the review close', async () => {
    const id = await reviewAt(t, t.ids.kentCsp, 'approved', 'Nell');
    // Before publication there is no weblink to send: a copy sent another way is noted.
    const early = await record('kent', id, { recipient: 'home_office', how: 'email' });
    expect(early.status).toBe(409);
    expect(early.body.error).toContain('not published yet');
    const family = await record('kent', id, {
      recipient: 'family',
      how: 'note',
      sentOn: '2026-03-02',
      note: "Printed copy handed to the victim's sister by the chair",
    });
    expect(family.status).toBe(201);
    expect(family.body.complete).toBe(false);
    // The same entry again (a form sent twice) records nothing.
    const again = await record('kent', id, {
      recipient: 'family',
      how: 'note',
      sentOn: '2026-03-02',
      note: "Printed copy handed to the victim's sister by the chair",
    });
    expect(again.status).toBe(200);

    const published = await t.api('kent').event(id, {
      type: 'RECORD_PUBLICATION',
      url: 'https://kent.example/dhr/nell',
      publishedOn: '2026-03-02',
    });
    expect(published.status).toBe(200);
    expect(published.body.allowedEvents).not.toContain('CLOSE');

    const sent = await record('kent', id, { recipient: 'home_office', how: 'email' });
    expect(sent.status).toBe(201);
    expect(await entryOf(id, 'home_office')).toMatchObject({ how: 'email', mailedTo: 'dhr-enquiries@dhr-qa.example' });
    const mail = (await t.api('secretariat').get(`/mail?reviewId=${id}`)).body.find(
      (m: { kind: string }) => m.kind === 'final_report_copy',
    );
    expect(mail.subject).toContain('Final report of Domestic Homicide Review');
    const full = (await t.api('secretariat').get(`/mail/${mail.id}`)).body;
    expect(full.text).toContain('https://kent.example/dhr/nell');

    // No mailbox set for the Commissioner yet: the secretariat sets it, or the copy is noted.
    const noMailbox = await record('kent', id, { recipient: 'commissioner', how: 'email' });
    expect(noMailbox.status).toBe(409);
    expect(noMailbox.body.error).toContain('No mailbox is set for the Domestic Abuse Commissioner');
    await t.api('secretariat').patch('/settings', { commissionerMailbox: 'reports@commissioner.example' });
    expect((await record('kent', id, { recipient: 'commissioner', how: 'email' })).status).toBe(201);
    expect((await record('secretariat', id, { recipient: 'pcc', how: 'email' })).status).toBe(201);
    expect(await entryOf(id, 'pcc')).toMatchObject({ mailedTo: 'pcc@kent.example' });

    // Closing waits for the last one, and says who is missing.
    const early2 = await t.api('secretariat').event(id, { type: 'CLOSE' });
    expect(early2.status).toBe(409);
    expect(early2.body.error).toContain('the DHR Library');
    const library = await record('secretariat', id, {
      recipient: 'library',
      how: 'note',
      sentOn: '2026-03-02',
      note: 'Listed in the DHR Library',
    });
    expect(library.body.complete).toBe(true);
    expect((await t.api('kent').event(id, { type: 'CLOSE' })).status).toBe(403);
    const closed = await t.api('secretariat').event(id, { type: 'CLOSE' });
    expect(closed.status).toBe(200);
    expect(closed.body.state).toBe('closed');
    expect(closed.body.history.at(-1)).toMatchObject({ type: 'CLOSE', from: 'published', to: 'closed' });
    // Each copy recorded is a line of the history, saying who it reached.
    expect(closed.body.history.at(-2)).toMatchObject({ type: 'DISTRIBUTION_RECORDED', recipient: 'The DHR Library' });

    // Closed is final; oversight reads the list.
    const late = await record('kent', id, { recipient: 'family', how: 'note', sentOn: '2026-03-02', note: 'Again' });
    expect(late.status).toBe(409);
    const oversight = await t.api('commissioner').get(`/reviews/${id}/distribution`);
    expect(oversight.status).toBe(200);
    expect(oversight.body.complete).toBe(true);
  });

  it('refuses bad and hostile entries naming the field, entries from those who only read, and a second identical one', async () => {
    const id = await reviewAt(t, t.ids.kentCsp, 'approved', 'Olwen');
    const bad = async (body: object) =>
      (await record('kent', id, body)).body.errors.map((e: { field: string }) => e.field);
    expect(await bad({ recipient: 'neighbour', how: 'note', sentOn: '2026-03-02', note: 'x' })).toEqual(['recipient']);
    expect(await bad({ recipient: 'family', how: 'note', sentOn: '2026-03-02' })).toEqual(['note']);
    expect(await bad({ recipient: 'family', how: 'note', note: 'x' })).toEqual(['sentOn']);
    expect(await bad({ recipient: 'family', how: 'note', sentOn: '2999-01-01', note: 'x' })).toEqual(['sentOn']);
    expect(await bad({ recipient: 'family', how: 'note', sentOn: '2020-01-01', note: 'x' })).toEqual(['sentOn']);
    expect(await bad({ recipient: 'family', how: 'email' })).toEqual(['how']);
    expect(
      (await record('panel', id, { recipient: 'family', how: 'note', sentOn: '2026-03-02', note: 'x' })).status,
    ).toBe(403);
    const entry = { recipient: 'family', how: 'note', sentOn: '2026-03-02', note: 'x' };
    expect((await t.api('hackney').post(`/reviews/${id}/distribution`, entry)).status).toBe(404);
    // Hostile input: a NUL, year 0000, a megabyte of text, another script, an id past 2^31.
    expect(await bad({ recipient: 'family\u0000', how: 'note', sentOn: '2026-03-02', note: 'x' })).toEqual([
      'recipient',
    ]);
    expect(await bad({ recipient: 'family', how: 'note', sentOn: '0000-01-01', note: 'x' })).toEqual(['sentOn']);
    expect(await bad({ recipient: 'family', how: 'note', sentOn: '2026-03-02', note: 'x'.repeat(1_000_000) })).toEqual([
      'note',
    ]);
    expect(
      (await record('kent', 2 ** 31, { recipient: 'family', how: 'note', sentOn: '2026-03-02', note: 'x' })).status,
    ).toBeGreaterThanOrEqual(400);
    const kinds = await record('kent', id, {
      recipient: 'family',
      how: 'note',
      sentOn: '2026-03-02',
      note: 'نسخة مطبوعة 印刷版',
    });
    expect(kinds.status).toBe(201);
    // Two identical entries at once: one is recorded, the other changes nothing.
    const twice = { recipient: 'library', how: 'note', sentOn: '2026-03-02', note: 'Listed' };
    const both = await Promise.all([record('kent', id, twice), record('kent', id, twice)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(await t.db('distribution_entries').where({ review_id: id })).toHaveLength(2);
  });

  it('is kept on the review page, where the CSP records a copy through a form that shows its mistakes', async () => {
    const id = await reviewAt(t, t.ids.kentCsp, 'approved', 'Pearl');
    const kent = await signedIn(t, 'kent');
    const page = await kent.get(`/reviews/${id}`);
    const list = section(page.text, 'distribution');
    expect(list).toContain('The family');
    expect(list).toContain('Not yet recorded');

    const form = await kent.get(`/reviews/${id}/distribution/family`);
    expect(form.status).toBe(200);
    const empty = await kent.form(`/reviews/${id}/distribution/family`, { how: 'note' });
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Enter the date it was sent', 'Enter what was sent, how and to whom']);
    const done = await kent.form(`/reviews/${id}/distribution/family`, {
      how: 'note',
      'sentOn-day': '2',
      'sentOn-month': '3',
      'sentOn-year': '2026',
      note: 'Given to the family at home by the chair',
    });
    expect(done.status).toBe(302);
    const after = await kent.get(done.headers.location);
    expect(visible(after.text)).toContain('The family: recorded as sent on 2 March 2026');
    expect(section(after.text, 'distribution')).toContain('Given to the family at home by the chair');
    const history = section(after.text, 'history');
    expect(history).toContain('Final report distribution recorded: The family');
    // The note is for the list, not the audit trail.
    expect(history).not.toContain('Given to the family at home');
  });
});
