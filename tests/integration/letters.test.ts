import { PDFParse } from 'pdf-parse';
import request from 'supertest';
import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';
import { contentOf } from '../helpers/letters';
import { kentAreas } from '../helpers/seeds';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const AREAS = kentAreas()
  .slice(0, 3)
  .map((text) => ({ text }));

async function withOutcome(pseudonym: string, outcome = 'publish_after_changes', meetingId?: number) {
  const id = await submittedReview(t, pseudonym);
  await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: meetingId ?? (await meeting(t, '2026-03-01')) });
  const res = await t.api('panel').event(id, {
    type: 'RECORD_OUTCOME',
    outcome,
    commendations: 'A well-written and clearly structured report.',
    areas: outcome === 'publish' ? [] : AREAS,
  });
  const letter = res.body.letters.find((l: { round: number | null }) => l.round === 1);
  return { id, letterId: letter.id as number };
}

const pdfText = async (pdf: Buffer) => {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
};

describe('draft letters', () => {
  it('are created by RECORD_OUTCOME from the current template, readable by the Home Office only', async () => {
    const { id, letterId } = await withOutcome('Mary');
    const draft = await t.api('secretariat').get(`/letters/${letterId}`);
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({
      id: letterId,
      kind: 'publish_after_changes',
      reviewId: id,
      round: 1,
      status: 'draft',
      sentAt: null,
      sha256: null,
      template: { kind: 'publish_after_changes', version: 1 },
      draft: {
        date: null,
        salutation: 'Dear Sam',
        addressee: { name: 'Sam Okafor', jobTitle: '', lines: ['Kent CSP', 'Invicta House', 'Maidstone', 'ME14 1XX'] },
        readdress: null,
        unprintable: [],
        removed: [],
        setAside: [],
      },
    });
    expect(
      draft.body.draft.content.filter((p: { type: string }) => p.type === 'block').map((p: { name: string }) => p.name),
    ).toEqual(['letterhead', 'address', 'date', 'salutation', 'commendations', 'areas', 'signature']);
    expect(draft.body.text).toContain('Areas for final development');
    expect(draft.body.text).toContain('A well-written and clearly structured report.');
    expect((await t.api('panel').get(`/letters/${letterId}`)).status).toBe(200);
    for (const who of ['kent', 'kentPcc', 'hackney', 'metPcc'] as const) {
      expect((await t.api(who).get(`/letters/${letterId}`)).status).toBe(404);
      expect((await t.api(who).get(`/letters/${letterId}/pdf`)).status).toBe(404);
    }
    const csp = await t.api('kent').get(`/reviews/${id}`);
    expect(csp.body.letters.map((l: { kind: string }) => l.kind)).toEqual(['acknowledgement']);
  });

  it('can be edited in full: any paragraph changed, removed or added, the date, addressee and salutation set', async () => {
    const { letterId } = await withOutcome('Nora');
    const before = (await t.api('secretariat').get(`/letters/${letterId}`)).body.draft;
    const paragraphs = before.content.filter((p: { type: string }) => p.type === 'paragraph');
    const opening = paragraphs[0];
    const thanks = paragraphs.at(-2);
    // The apology goes straight after the opening; the closing thanks is dropped; the opening is reworded.
    const content = before.content.flatMap((p: { type: string; id?: number; name?: string; text?: string }) => {
      if (p.type === 'block') return [{ type: 'block', name: p.name }];
      if (p.id === thanks.id) return [];
      if (p.id === opening.id) {
        return [
          { type: 'paragraph', id: p.id, text: `${p.text} It was a careful report.` },
          { type: 'paragraph', text: 'We apologise for the delay in responding.\nThe panel met later than planned.' },
        ];
      }
      return [{ type: 'paragraph', id: p.id, text: p.text }];
    });
    const edited = await t.api('secretariat').patch(`/letters/${letterId}`, {
      content,
      date: '2026-03-20',
      salutation: 'Dear Mr Okafor',
      addressee: { name: 'Mr Sam Okafor', jobTitle: 'DHR Coordinator', lines: ['Invicta House', 'Maidstone'] },
    });
    expect(edited.status).toBe(200);
    const { html, text, draft } = edited.body;
    expect(html).toContain('<p class="salutation">Dear Mr Okafor</p>');
    expect(html).toContain(
      '<address class="addressee"><p>Mr Sam Okafor<br>DHR Coordinator<br>Invicta House<br>Maidstone</p></address>',
    );
    expect(html).toContain('<p class="date">20 March 2026</p>');
    expect(html).toMatch(
      /It was a careful report\.<\/p>\n<p>We apologise for the delay in responding\.<br>The panel met later than planned\.<\/p>\n<p>A well-written/,
    );
    expect(text).not.toContain(thanks.text.slice(0, 40));
    const statuses = draft.content
      .filter((p: { type: string }) => p.type === 'paragraph')
      .map((p: { status: string }) => p.status);
    expect(statuses.slice(0, 2)).toEqual(['edited', 'added']);
    expect(statuses.filter((s: string) => s !== 'template')).toHaveLength(2);
    expect(draft.removed).toEqual([{ id: thanks.id, tag: 'p', text: thanks.text }]);

    const pdf = await t.api('secretariat').get(`/letters/${letterId}/pdf`).buffer(true).parse(binary);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(/DRAFT/);
    expect(await pdfText(pdf.body)).toContain('We apologise for the delay in responding.');

    // Putting the removed paragraph back, where it was.
    const back = contentOf(draft);
    back.splice(back.findIndex((p: { name?: string }) => p.name === 'signature') - 1, 0, {
      type: 'paragraph',
      id: thanks.id,
      text: thanks.text,
    });
    const restored = await t.api('secretariat').patch(`/letters/${letterId}`, { content: back, date: null });
    expect(restored.body.draft.removed).toEqual([]);
    expect(restored.body.text).toContain(thanks.text.slice(0, 40));
    expect(restored.body.draft.date).toBeNull();
  });

  it('refuses edits that would break the letter or its decision, changing nothing', async () => {
    const { letterId } = await withOutcome('Olga');
    const before = (await t.api('secretariat').get(`/letters/${letterId}`)).body;
    const content = contentOf(before.draft);
    const withoutAreas = content.filter((p: { name?: string }) => p.name !== 'areas');
    const cases: [object, string][] = [
      [{ content: withoutAreas }, 'content'],
      [{ content: [...content].reverse() }, 'content'],
      [{ content: [...content, { type: 'paragraph', id: 999, text: 'x' }] }, `content.${content.length}.id`],
      [{ content: [...content, { type: 'paragraph', text: '' }] }, `content.${content.length}.text`],
      [
        {
          content: [
            {
              type: 'block',
              // Every block's name in one, as if one block were all of them.
              name: content
                .filter((p) => p.type === 'block')
                .map((p) => p.name)
                .join(', '),
            },
          ],
        },
        'content.0.name',
      ],
      [{ date: '0000-01-01' }, 'date'],
      // Before the panel met (1 March 2026): no letter can report a meeting yet to come.
      [{ date: '2026-02-28' }, 'date'],
      [{ date: '2026-02-30' }, 'date'],
      [{ salutation: '' }, 'salutation'],
      [{ addressee: { name: 'x', lines: ['a'.repeat(201)] } }, 'addressee.lines.0'],
      [{ commendations: 'Changed behind the panel' }, 'commendations'],
      [{ readdress: false }, 'readdress'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('secretariat').patch(`/letters/${letterId}`, body);
      expect({ body, status: res.status, fields: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({
        body,
        status: 422,
        fields: [field],
      });
    }
    expect((await t.api('panel').patch(`/letters/${letterId}`, { salutation: 'Hi' })).status).toBe(403);
    expect((await t.api('secretariat').get(`/letters/${letterId}`)).body.html).toBe(before.html);
  });

  it('keep their edits when the outcome is corrected, and set them aside when the outcome changes', async () => {
    const { id, letterId } = await withOutcome('Olive');
    const before = (await t.api('secretariat').get(`/letters/${letterId}`)).body.draft;
    const added = { type: 'paragraph', text: 'We apologise for the delay.' };
    const content = contentOf(before);
    content.splice(5, 0, added);
    await t.api('secretariat').patch(`/letters/${letterId}`, { content, date: '2026-03-21' });

    const same = await t.api('panel').event(id, {
      type: 'AMEND_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'New words',
      areas: [{ text: 'Involve the family.' }],
    });
    expect(same.status).toBe(200);
    let letter = (await t.api('secretariat').get(`/letters/${letterId}`)).body;
    expect(letter.text).toContain('We apologise for the delay.');
    expect(letter.text).toContain('New words');
    expect(letter.text).toContain('Involve the family.');
    expect(letter.text).not.toContain(AREAS[0]!.text.slice(0, 40));

    const other = await t.api('panel').event(id, {
      type: 'AMEND_OUTCOME',
      outcome: 'resubmit',
      commendations: 'New words',
      areas: [{ text: 'Involve the family.' }],
    });
    expect(other.status).toBe(200);
    letter = (await t.api('secretariat').get(`/letters/${letterId}`)).body;
    expect(letter).toMatchObject({ kind: 'resubmit', template: { kind: 'resubmit', version: 1 } });
    expect(letter.text).toContain('Areas for revision');
    expect(letter.text).not.toContain('We apologise for the delay.');
    expect(letter.draft.setAside).toEqual(['We apologise for the delay.']);
    expect(letter.draft.date).toBe('2026-03-21');
  });

  it('keep the addressing they were made with, and offer to re-address when the contact or settings change', async () => {
    const { letterId } = await withOutcome('Opal');
    const csp = (await t.api('secretariat').get('/csps')).body.find((c: { id: number }) => c.id === t.ids.kentCsp);
    await t.api('secretariat').put(`/csps/${t.ids.kentCsp}`, {
      addressLines: csp.addressLines,
      contacts: [{ name: 'Dr Priya Shah', email: 'priya@kent.example', jobTitle: 'DHR Manager' }],
    });
    let letter = (await t.api('secretariat').get(`/letters/${letterId}`)).body;
    expect(letter.draft.salutation).toBe('Dear Sam');
    expect(letter.html).toContain('Sam Okafor');
    expect(letter.draft.readdress).toMatchObject({
      changes: ["the addressee's name, job title or address"],
      addressee: { name: 'Dr Priya Shah', jobTitle: 'DHR Manager' },
      salutation: 'Dear Dr Shah',
    });

    const readdressed = await t.api('secretariat').patch(`/letters/${letterId}`, { readdress: true });
    expect(readdressed.body.draft).toMatchObject({ salutation: 'Dear Dr Shah', readdress: null });
    expect(readdressed.body.html).toContain('Dr Priya Shah<br>DHR Manager');
    await t
      .api('secretariat')
      .put(`/csps/${t.ids.kentCsp}`, { addressLines: csp.addressLines, contacts: csp.contacts });
    const offered = (await t.api('secretariat').get(`/letters/${letterId}`)).body.draft.readdress;
    expect(offered.changes).toEqual(["the addressee's name, job title or address"]);
    // Settings moved on: the draft keeps its signatory until re-addressed.
    await t.api('secretariat').patch('/settings', { signatoryName: 'A New Chair' });
    letter = (await t.api('secretariat').get(`/letters/${letterId}`)).body;
    expect(letter.text).not.toContain('A New Chair');
    expect(letter.draft.readdress.changes).toEqual(["the addressee's name, job title or address", 'the signatory']);
    await t.api('secretariat').patch('/settings', { signatoryName: 'Chair of the Quality Assurance Panel' });
  });

  it('keep an area made of a lead-in and points as one revision item, numbered as the letter numbers it', async () => {
    const id = await submittedReview(t, 'Pearl');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-01') });
    const res = await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'resubmit',
      commendations: '',
      areas: [
        { text: 'Remove the date of death.' },
        { text: 'The QA panel felt:', points: ['the chronology is thin', 'the IMRs are not\nused'] },
        { heading: 'Structure', text: 'Add a contents page.' },
        { heading: 'Structure', text: 'Number the paragraphs.' },
      ],
    });
    expect(res.status).toBe(200);
    const items = res.body.rounds[0].items;
    expect(items.map((i: { label: string; points: string[] }) => [i.label, i.points])).toEqual([
      ['1', []],
      ['2', ['the chronology is thin', 'the IMRs are not\nused']],
      ['3a', []],
      ['3b', []],
    ]);
    const letter = (await t.api('secretariat').get(`/letters/${res.body.letters.at(-1).id}`)).body;
    expect(letter.html).toContain(
      '<li>The QA panel felt:<ul><li>the chronology is thin</li><li>the IMRs are not<br>used</li></ul></li>',
    );
    const bad = await t.api('panel').event(id, {
      type: 'AMEND_OUTCOME',
      outcome: 'resubmit',
      commendations: '',
      areas: [{ text: 'x', points: ['', 'y'] }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('areas.0.points.0');
  });
});

describe('sending a letter', () => {
  it('freezes HTML, text and PDF with their SHA-256, shows it to the CSP and its PCC, and queues the email', async () => {
    const { id, letterId } = await withOutcome('Pia');
    const sent = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(sent.status).toBe(200);
    const letter = (await t.api('kent').get(`/letters/${letterId}`)).body;
    expect(letter).toMatchObject({ status: 'sent', sentAt: sent.body.rounds[0].letterSentAt });
    expect(letter.sha256.pdf).toMatch(/^[0-9a-f]{64}$/);
    for (const area of AREAS) expect(letter.text.replace(/\s+/g, ' ')).toContain(area.text);

    const pdf = await t.api('kentPcc').get(`/letters/${letterId}/pdf`).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    const crypto = await import('node:crypto');
    expect(crypto.createHash('sha256').update(pdf.body).digest('hex')).toBe(letter.sha256.pdf);
    expect((await t.api('metPcc').get(`/letters/${letterId}`)).status).toBe(404);
    expect((await t.api('hackney').get(`/letters/${letterId}`)).status).toBe(404);

    // Nothing changes it afterwards: not the API, not a later read, not the database itself.
    expect((await t.api('secretariat').patch(`/letters/${letterId}`, { salutation: 'Dear Sam' })).status).toBe(409);
    expect((await t.api('kent').get(`/letters/${letterId}`)).body.html).toBe(letter.html);
    await expect(t.db('letters').where({ id: letterId }).update({ html: 'changed' })).rejects.toThrow(/cannot change/);
    await expect(t.db('letters').where({ id: letterId }).delete()).rejects.toThrow(/cannot change/);

    const mail = await t.api('secretariat').get(`/mail?reviewId=${id}`);
    const outcome = mail.body.find((m: { kind: string }) => m.kind === 'publish_after_changes');
    expect(outcome).toMatchObject({
      to: ['sam@kent.example'],
      cc: ['pcc@kent.example'],
      status: 'queued',
      attempts: 0,
      attachments: [{ filename: expect.stringMatching(/\.pdf$/), contentType: 'application/pdf' }],
      letterId,
    });
    expect(outcome.subject).toMatch(/DHR-2026-\d{4} \(Pia\): feedback from the Quality Assurance Panel/);
  });

  it('refuses, at the field, text a letter could not print; Welsh, Polish, Greek and Cyrillic print as typed', async () => {
    const id = await submittedReview(t, 'Ysolde');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    const outcome = {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'Diolch: ŵ ŷ, Łódź, Ελληνικά, Кириллица — and a rocket 🚀 and 中.',
      areas: [{ text: 'Remove the date of death.', points: ['עברית'] }],
    };
    const refused = await t.api('panel').event(id, outcome);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        field: 'commendations',
        message: 'must use only characters letters can print: "🚀" (U+1F680), "中" (U+4E2D) cannot be printed',
      },
      { field: 'areas.0.points.0', message: expect.stringMatching(/^must use only characters letters can print: "ע"/) },
    ]);
    for (const [url, body] of [
      ['/reviews', { pseudonym: 'Li 李' }],
      [`/csps/${t.ids.kentCsp}`, { addressLines: ['🏠'], contacts: [{ name: 'Sam', email: 'sam@kent.example' }] }],
    ] as const) {
      const res = url === '/reviews' ? await t.api('kent').post(url, body) : await t.api('secretariat').put(url, body);
      expect(res.status).toBe(422);
    }

    const recorded = await t.api('panel').event(id, {
      ...outcome,
      commendations: 'Diolch: ŵ ŷ, Łódź, Ελληνικά, Кириллица.',
      areas: [outcome.areas[0]!.text].map((text) => ({ text })),
    });
    const letterId = recorded.body.letters.at(-1).id;
    expect((await t.api('secretariat').event(id, { type: 'SEND_LETTER' })).status).toBe(200);
    const pdf = await t.api('kent').get(`/letters/${letterId}/pdf`).buffer(true).parse(binary);
    expect(await pdfText(pdf.body)).toContain('Diolch: ŵ ŷ, Łódź, Ελληνικά, Кириллица.');
  });

  it('keeps an unprintable character that came before the check from garbling a PDF or blocking anyone', async () => {
    // Data written before letters were checked: the pseudonym holds a character the PDF lacks.
    const id = (await t.api('kent').post('/reviews', { pseudonym: 'Zhen' })).body.id;
    await t.db('reviews').where({ id }).update({ pseudonym: 'Zhen 珍' });
    for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
      await t.api('kent').upload(id, kind, pdf(kind));
    }
    // The acknowledgement the service sends by itself goes out, with no PDF rather than a garbled one.
    expect((await t.api('kent').event(id, { type: 'SUBMIT' })).status).toBe(200);
    const ack = (await t.api('kent').get(`/reviews/${id}`)).body.letters.find(
      (l: { kind: string }) => l.kind === 'acknowledgement',
    );
    expect((await t.api('kent').get(`/letters/${ack.id}`)).body).toMatchObject({ status: 'sent', hasPdf: false });
    expect((await t.api('kent').get(`/letters/${ack.id}/pdf`)).status).toBe(409);

    // The feedback letter, which goes out as a PDF, waits and says why.
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    const recorded = await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish',
      commendations: '',
      areas: [],
    });
    const letterId = recorded.body.letters.at(-1).id;
    expect((await t.api('secretariat').get(`/letters/${letterId}`)).body.draft.unprintable).toEqual(['珍']);
    const before = await t.db('outbox').count('* as n');
    const refused = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(
      'The letter cannot be sent: its PDF cannot print "珍" (U+73CD). Change the text that contains it and try again.',
    );
    expect(await t.db('outbox').count('* as n')).toEqual(before);
    expect((await t.api('secretariat').get(`/letters/${letterId}/pdf`)).status).toBe(409);
  });

  it('is refused when dated after the day it is sent, until the date is changed', async () => {
    const { id, letterId } = await withOutcome('Yvette');
    await t.api('secretariat').patch(`/letters/${letterId}`, { date: '2027-01-05' });
    const refused = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/^The letter is dated 5 January 2027, which is after today/);
    await t.api('secretariat').patch(`/letters/${letterId}`, { date: null });
    expect((await t.api('secretariat').event(id, { type: 'SEND_LETTER' })).status).toBe(200);
  });

  it('keeps the whole pseudonym in the name of the PDF, slash and all', async () => {
    const { id, letterId } = await withOutcome('Adult A/Adult B');
    const draft = await t.api('secretariat').get(`/letters/${letterId}/pdf`).buffer(true).parse(binary);
    expect(draft.headers['content-disposition']).toContain('(Adult A-Adult B) QA Panel feedback.pdf');
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    const sent = await t.api('kent').get(`/letters/${letterId}/pdf`).buffer(true).parse(binary);
    expect(sent.headers['content-disposition']).toMatch(
      /filename="DHR-\d{4}-\d{4} \(Adult A-Adult B\) QA Panel feedback\.pdf"/,
    );
  });

  it('is refused with 409 naming what is missing when the force area has no PCC email, changing nothing', async () => {
    const { id, letterId } = await withOutcome('Quinn');
    await t.api('secretariat').put(`/police-force-areas/${t.ids.kentArea}`, { pccName: 'Kent PCC', pccEmail: null });
    const before = await t.db('outbox').count('* as n');
    const res = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe(
      'SEND_LETTER is not possible now: the Kent police force area has no PCC email address to copy the letter to; add it to the police force area first',
    );
    expect(await t.db('outbox').count('* as n')).toEqual(before);
    expect((await t.api('secretariat').get(`/letters/${letterId}`)).body.status).toBe('draft');
    // The machine's refusal is known before anyone presses: no page or answer offers the step.
    const review = (await t.api('secretariat').get(`/reviews/${id}`)).body;
    expect(review.allowedEvents).not.toContain('SEND_LETTER');
    expect(review.undeliverable).toMatch(/^the Kent police force area has no PCC email address/);
    const page = await (await signedIn(t, 'secretariat')).get(`/letters/${letterId}`);
    expect(page.text).toContain('The letter cannot be sent yet: the Kent police force area has no PCC email address');
    expect(page.text).not.toContain('Check and send the letter');
    await t
      .api('secretariat')
      .put(`/police-force-areas/${t.ids.kentArea}`, { pccName: 'Kent PCC', pccEmail: 'pcc@kent.example' });
  });

  it("releases a meeting's letters together and reports what it could not send", async () => {
    const m = await meeting(t);
    const a = await withOutcome('Rae', 'publish', m);
    const b = await withOutcome('Sid', 'resubmit', m);
    const hackney = (await t.api('hackney').post('/reviews', { pseudonym: 'Tam' })).body.id;
    for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
      await t.api('hackney').upload(hackney, kind, pdf(kind));
    }
    await t.api('hackney').event(hackney, { type: 'SUBMIT' });
    await t.api('secretariat').event(hackney, { type: 'SCHEDULE', meetingId: m });
    await t.api('panel').event(hackney, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    await t.api('secretariat').put(`/police-force-areas/${t.ids.metArea}`, { pccName: 'MOPAC', pccEmail: null });

    const res = await t.api('secretariat').post(`/panel-meetings/${m}/send-letters`);
    expect(res.status).toBe(200);
    expect(res.body.sent.map((s: { reviewId: number }) => s.reviewId).sort()).toEqual([a.id, b.id].sort());
    expect(res.body.notSent).toEqual([
      {
        reviewId: hackney,
        reference: expect.any(String),
        error: expect.stringMatching(/Metropolitan Police police force area has no PCC email/),
      },
    ]);
    expect((await t.api('secretariat').get(`/reviews/${a.id}`)).body.state).toBe('approved');
    expect((await t.api('secretariat').get(`/reviews/${b.id}`)).body.state).toBe('revising');
    expect((await t.api('kent').post(`/panel-meetings/${m}/send-letters`)).status).toBe(403);
  });
});

describe('settings', () => {
  it('lets the secretariat change the signatory, address and mailbox, which the next letters use', async () => {
    const res = await t.api('secretariat').patch('/settings', {
      signatoryName: 'Hannah Buckley',
      signatoryTitle: 'Joint Chair of the Home Office DHR Quality Assurance Panel',
      homeOfficeAddress: ['2 Marsham Street', 'London', 'SW1P 4DF'],
      dhrMailbox: 'dhr@homeoffice.example',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ signatoryName: 'Hannah Buckley', dateStyle: 'plain' });
    const { letterId } = await withOutcome('Uma');
    const letter = (await t.api('secretariat').get(`/letters/${letterId}`)).body;
    expect(letter.text).toContain('Hannah Buckley');
    expect(letter.text).toContain('dhr@homeoffice.example');

    const bad = await t
      .api('secretariat')
      .patch('/settings', { dhrMailbox: 'nope', dateStyle: 'roman', colour: 'red' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'colour',
      'dateStyle',
      'dhrMailbox',
    ]);
    expect((await t.api('kent').patch('/settings', { signatoryName: 'X' })).status).toBe(403);
    expect((await t.api('kent').get('/settings')).status).toBe(403);
    expect((await t.api('panel').get('/settings')).body.signatoryName).toBe('Hannah Buckley');
  });
});

function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
