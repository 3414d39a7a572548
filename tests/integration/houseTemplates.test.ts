import { createTestApp, meeting, submittedReview, type TestApp } from '../helpers/app';
import { KENT_TEMPLATE, normalise } from '../helpers/kentHouse';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function draftLetter(pseudonym: string) {
  const id = await submittedReview(t, pseudonym);
  await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-01') });
  const res = await t.api('panel').event(id, {
    type: 'RECORD_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: 'A careful report.',
    areas: [{ text: 'Remove the date of death.' }],
  });
  const letterId = res.body.letters.find((l: { round: number | null }) => l.round === 1).id as number;
  return { id, letterId, letter: (await t.api('secretariat').get(`/letters/${letterId}`)).body };
}

describe('house templates', () => {
  it('lists every letter and email, each with its version, shipped as version 1', async () => {
    const res = await t.api('secretariat').get('/letter-templates');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(8 + 19 * 3);
    expect(res.body[0]).toMatchObject({ kind: 'publish', group: 'letter', version: 1, shipped: true, createdBy: null });
    expect(res.body.map((k: { kind: string }) => k.kind)).toContain('outcome_letter.subject');
    const one = await t.api('secretariat').get('/letter-templates/publish_after_changes');
    expect(one.body).toMatchObject({ kind: 'publish_after_changes', version: 1, format: 'letter' });
    expect(one.body.body).toContain('{{> areas}}');
    expect(one.body.placeholders.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['reference', 'pseudonym', 'cspName', 'meetingDate', 'pccName', 'signatoryName']),
    );
    expect(one.body.blocks.map((b: { name: string }) => b.name)).toEqual(
      expect.arrayContaining(['letterhead', 'address', 'commendations', 'areas', 'signature']),
    );
  });

  it('refuses a template that would not work with 422 naming the line, changing nothing', async () => {
    const res = await t.api('secretariat').put('/letter-templates/publish', {
      body: '{{> letterhead}}\n<p>{{{pseudonym}}}</p>\n<p>{{unknown}}</p>',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        field: 'body',
        line: 2,
        message:
          'Line 2 (“<p>{{{pseudonym}}}</p>”): Triple braces {{{ }}} and {{& }} are not allowed: every value must be escaped',
      },
      {
        field: 'body',
        line: 3,
        message: expect.stringMatching(/^Line 3 \(“<p>\{\{unknown\}\}<\/p>”\): \{\{unknown\}\} is not a placeholder/),
      },
    ]);
    for (const body of [{}, { body: 7 }, { body: 'x', extra: 1 }]) {
      expect((await t.api('secretariat').put('/letter-templates/publish', body)).status).toBe(422);
    }
    expect((await t.api('secretariat').get('/letter-templates/publish')).body.version).toBe(1);
    expect((await t.api('secretariat').get('/letter-templates/nothing')).status).toBe(404);
    for (const who of ['panel', 'kent', 'kentPcc'] as const) {
      expect((await t.api(who).get('/letter-templates')).status).toBe(403);
      expect((await t.api(who).put('/letter-templates/publish', { body: '<p>x</p>' })).status).toBe(403);
    }
  });

  it('saves each change as a version that new drafts use and record, leaving earlier drafts as they were', async () => {
    const before = await draftLetter('Ada');
    const saved = await t.api('secretariat').put('/letter-templates/publish_after_changes', {
      body: KENT_TEMPLATE,
      expectedVersion: 1,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, changed: true, updatedBy: 'Test secretariat' });

    const after = await draftLetter('Bea');
    expect(after.letter.template).toEqual({ kind: 'publish_after_changes', version: 2 });
    expect(after.letter.text).toContain('Areas of final development include:');
    expect(await t.db('letters').where({ id: after.letterId }).first('template_version')).toEqual({
      template_version: 2,
    });
    const earlier = (await t.api('secretariat').get(`/letters/${before.letterId}`)).body;
    expect(earlier.template.version).toBe(1);
    expect(earlier.html).toBe(before.letter.html);

    // The same words again make no version; an edit made against an older version is refused.
    expect(
      (await t.api('secretariat').put('/letter-templates/publish_after_changes', { body: KENT_TEMPLATE })).body,
    ).toMatchObject({
      version: 2,
      changed: false,
    });
    const stale = await t.api('secretariat').put('/letter-templates/publish_after_changes', {
      body: `${KENT_TEMPLATE}<p>One more paragraph.</p>`,
      expectedVersion: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/changed since you opened it/);
  });

  it('restores an earlier version as a new one, which renders exactly as that version did', async () => {
    const kind = '/letter-templates/resubmit';
    const original = (await t.api('secretariat').get(kind)).body;
    const resubmitted = async (pseudonym: string) => {
      const id = await submittedReview(t, pseudonym);
      await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-02') });
      const res = await t.api('panel').event(id, {
        type: 'RECORD_OUTCOME',
        outcome: 'resubmit',
        commendations: 'Thorough.',
        areas: [{ text: 'Involve the family.', points: ['their views', 'a tribute'] }],
      });
      const letter = (await t.api('secretariat').get(`/letters/${res.body.letters.at(-1).id}`)).body;
      // Two reviews differ only in their references.
      return { ...letter, html: letter.html.replace(/DHR-\d{4}-\d{4}/g, 'REF') };
    };
    const onOriginal = await resubmitted('Cleo');
    await t.api('secretariat').put(kind, { body: original.body.replace('Areas for revision', 'What to revise') });
    expect((await resubmitted('Cleo')).html).toContain('What to revise');

    const restored = await t.api('secretariat').post(`${kind}/versions/${original.version}/restore`);
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ version: original.version + 2, body: original.body });
    const onRestored = await resubmitted('Cleo');
    expect(onRestored.template.version).toBe(original.version + 2);
    expect(onRestored.html).toBe(onOriginal.html);

    const versions = (await t.api('secretariat').get(`${kind}/versions`)).body;
    expect(versions[0]).toMatchObject({
      version: original.version + 2,
      restoredFrom: original.version,
      createdBy: 'Test secretariat',
    });
    expect(versions.at(-1)).toMatchObject({ version: 1, shipped: true });
    expect((await t.api('secretariat').post(`${kind}/versions/99/restore`)).status).toBe(404);
  });

  it('previews a template against an invented review without saving it', async () => {
    const { version } = (await t.api('secretariat').get('/letter-templates/resubmit')).body;
    const res = await t.api('secretariat').post('/letter-templates/resubmit/preview', { body: KENT_TEMPLATE });
    expect(res.status).toBe(200);
    expect(normalise(res.body.text)).toContain('(Alex) for Anytown Community Safety Partnership');
    expect(normalise(res.body.text)).toContain('Remove the date of death to protect anonymity.');
    const email = await t.api('secretariat').post('/letter-templates/outcome_letter.subject/preview', {
      body: 'Feedback on {{reference}} ({{pseudonym}})',
    });
    expect(email.body).toEqual({ html: null, text: 'Feedback on DHR-2026-0001 (Alex)' });
    expect((await t.api('secretariat').post('/letter-templates/resubmit/preview', { body: '{{#if}}' })).status).toBe(
      422,
    );
    expect((await t.api('secretariat').get('/letter-templates/resubmit')).body.version).toBe(version);
  });

  it('words the emails too: a new subject goes out with the next letter', async () => {
    await t.api('secretariat').put('/letter-templates/outcome_letter.subject', {
      body: 'QA Panel feedback: {{cspName}} DHR ({{pseudonym}})',
    });
    const { id } = await draftLetter('Dora');
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    const mail = (await t.api('secretariat').get(`/mail?reviewId=${id}`)).body;
    expect(mail.find((m: { kind: string }) => m.kind === 'publish_after_changes').subject).toBe(
      'QA Panel feedback: Kent CSP DHR (Dora)',
    );
  });
});
