import { parse, type HTMLElement } from 'node-html-parser';
import request from 'supertest';
import { MIGRATIONS_DIR, migrate } from '../../src/db/connect';
import { createTestApp, PASSWORD, reviewAt, type TestApp } from '../helpers/app';
import { createTestDb } from '../helpers/db';
import { seed } from '../helpers/seeds';
import { signedIn } from '../helpers/web';
import { attributesOf } from '../helpers/page';

const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
const HARLOW = seed('harlow-dhr-2023-recommendations.txt');
const FORMULA = '=HYPERLINK("http://evil.example","Click")';

let t: TestApp;
let hackney: { id: number; reference: string };
let harlow: { id: number; reference: string };
let harlowCsp: number;
const tokens: Record<string, string> = {};

/** The figures of one row as the service gives them: counts, then the three shares. */
const f = (
  recommendations: number,
  links: number,
  responded: number,
  accepted: number,
  implemented: number,
  overdueActions: number,
  [respondedPercent, acceptedPercent, implementedPercent]: (number | null)[],
) => ({
  recommendations,
  links,
  responded,
  accepted,
  implemented,
  overdueActions,
  respondedPercent,
  acceptedPercent,
  implementedPercent,
});

const agency = (who: string) => ({
  post: (url: string, body: object) =>
    request(t.app).post(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  put: (url: string, body: object) =>
    request(t.app).put(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  get: (url: string) => request(t.app).get(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`),
});

/** The link of an organisation to a recommendation (by its number) of a review. */
async function linkOf(reviewId: number, number: string, nameKey: string): Promise<number> {
  const row = await t
    .db('recommendation_agencies as ra')
    .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
    .join('organisations as o', 'o.id', 'ra.organisation_id')
    .where({ 'rec.review_id': reviewId, 'rec.number': number, 'o.name_key': nameKey })
    .first('ra.id');
  return row.id;
}

async function expectOk(res: request.Response, status = 204) {
  if (res.status !== status) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Records of an RFC 4180 text: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || record.length) throw new Error('the CSV does not end with CRLF');
  return records;
}

beforeAll(async () => {
  t = await createTestApp();
  [{ id: harlowCsp }] = await t
    .db('csps')
    .insert({
      name: 'Harlow CSP',
      police_force_area_id: t.ids.kentArea,
      address_lines: JSON.stringify(['Civic Centre', 'Harlow', 'CM20 1WG']),
      contacts: JSON.stringify([{ name: 'Pat Harlow', email: 'pat@harlow.example' }]),
    })
    .returning('id');
  // Recommendations are imported once a review is published.
  const reviewOf = async (id: number) => ({
    id,
    reference: (await t.api('secretariat').get(`/reviews/${id}`)).body.reference,
  });
  hackney = await reviewOf(await reviewAt(t, t.ids.hackneyCsp, 'published', 'Hackney review'));
  harlow = await reviewOf(await reviewAt(t, harlowCsp, 'published', 'Harlow review'));
  for (const [review, content] of [
    [hackney.id, HACKNEY],
    [harlow.id, HARLOW],
  ] as const) {
    await expectOk(
      await t
        .api('secretariat')
        .post(`/reviews/${review}/recommendations/import`, { format: 'text', content, dryRun: false }),
      200,
    );
  }

  // Themes, as a person would set them.
  const setThemes = (reviewId: number, numbers: string[], themes: string[]) =>
    t
      .db('recommendations')
      .where({ review_id: reviewId })
      .whereIn('number', numbers)
      .update({ themes: JSON.stringify(themes) });
  await setThemes(hackney.id, ['2a', '2b', '2c'], ['Policing']);
  await setThemes(hackney.id, ['1'], ['Policing', 'Risk assessment']);
  await setThemes(harlow.id, ['11.7.1', '11.7.2', '11.7.3', '11.7.4'], ['Mental health']);
  await setThemes(harlow.id, ['11.1.1', '11.1.2', '11.1.3', '11.1.4', '11.1.5'], ['Children and families']);
  // Texts a spreadsheet would take for a formula, and quotes to escape.
  await t.db('recommendations').where({ review_id: hackney.id, number: '2d' }).update({ text: FORMULA });
  await t
    .db('recommendations')
    .where({ review_id: hackney.id, number: 'IMR.1' })
    .update({ text: '-1 in 3 officers were "reminded", at best' });

  // Two agencies answer.
  for (const [who, key] of [
    ['met', 'metropolitanpoliceservice'],
    ['nepft', 'nepft'],
  ]) {
    const org = await t.db('organisations').where({ name_key: key }).first('id');
    await t.services.accounts.createUser({
      email: `${who}@test.example`,
      name: `${who} lead`,
      role: 'agency',
      organisationId: org.id,
      password: PASSWORD,
    });
    tokens[who] = (
      await request(t.app)
        .post('/api/v1/session')
        .send({ email: `${who}@test.example`, password: PASSWORD })
    ).body.token;
  }
  const met = agency('met');
  const nepft = agency('nepft');
  const mps = (n: string) => linkOf(hackney.id, n, 'metropolitanpoliceservice');
  const nep = (n: string) => linkOf(harlow.id, n, 'nepft');

  // 1: accepted, one action past its target date (today is 2 March 2026).
  await expectOk(await met.post(`/recommendation-agencies/${await mps('1')}/response`, { response: 'accepted' }));
  await expectOk(
    await met.post(`/recommendation-agencies/${await mps('1')}/actions`, {
      description: 'Update the DASH prompts',
      owner: 'Head of Public Protection',
      targetDate: '2026-02-01',
    }),
    201,
  );
  // 2a: partially accepted, its action completed (late, but done) and implemented.
  await expectOk(
    await met.post(`/recommendation-agencies/${await mps('2a')}/response`, {
      response: 'partially_accepted',
      rationale: 'Inspectors review threats to life; superintendents direct the response',
    }),
  );
  const done = await expectOk(
    await met.post(`/recommendation-agencies/${await mps('2a')}/actions`, {
      description: 'Amend the threat to life policy',
      owner: 'Policy lead',
      targetDate: '2026-02-15',
    }),
    201,
  );
  await expectOk(await met.put(`/actions/${done.body.id}/status`, { status: 'completed' }));
  await expectOk(
    await met.post(`/recommendation-agencies/${await mps('2a')}/implemented`, { evidence: 'Policy v3 published' }),
  );
  // 2b: not accepted.
  await expectOk(
    await met.post(`/recommendation-agencies/${await mps('2b')}/response`, {
      response: 'not_accepted',
      rationale: 'Covered by existing supervision rules',
    }),
  );
  // NEPFT: 11.7.1 accepted with an overdue action in progress; 11.7.2 accepted, its action due next year.
  await expectOk(
    await nepft.post(`/recommendation-agencies/${await nep('11.7.1')}/response`, { response: 'accepted' }),
  );
  const late = await expectOk(
    await nepft.post(`/recommendation-agencies/${await nep('11.7.1')}/actions`, {
      description: 'Multi-agency reviews of long cases',
      owner: 'Clinical director',
      targetDate: '2026-01-01',
    }),
    201,
  );
  await expectOk(await nepft.put(`/actions/${late.body.id}/status`, { status: 'in_progress' }));
  await expectOk(
    await nepft.post(`/recommendation-agencies/${await nep('11.7.2')}/response`, { response: 'accepted' }),
  );
  await expectOk(
    await nepft.post(`/recommendation-agencies/${await nep('11.7.2')}/actions`, {
      description: 'Review the risk assessment policy',
      owner: 'Head of nursing',
      targetDate: '2027-01-01',
    }),
    201,
  );
});
afterAll(() => t.close());

const TOTALS = f(40, 48, 5, 4, 1, 2, [10, 80, 25]);
const POLICE = f(17, 17, 3, 2, 1, 1, [18, 67, 50]);
const POLICING = f(4, 4, 3, 2, 1, 1, [75, 67, 50]);
const HACKNEY_CSP = f(17, 20, 3, 2, 1, 1, [15, 67, 50]);
const HARLOW_CSP = f(23, 28, 2, 2, 0, 1, [7, 100, 0]);
const NONE = (recs: number, links: number) => f(recs, links, 0, 0, 0, 0, [0, null, null]);

describe('organisation kinds', () => {
  it('are guessed from the name when the importer creates an organisation', async () => {
    const rows = await t.db('organisations').orderBy('name').select('name', 'kind');
    expect(Object.fromEntries(rows.map((r) => [r.name, r.kind]))).toEqual({
      'All Agencies': 'other',
      'City and Hackney Safeguarding Children Board': 'council',
      'College of Policing': 'national_body',
      'Essex County Council (ECC), Children’s Social Care': 'childrens_services',
      'Lister Medical Centre': 'gp_practice',
      'Metropolitan Police Service': 'police',
      'Metropolitan Police Service (Hackney Borough)': 'police',
      NEPFT: 'mental_health',
      'Princess Alexandra Hospital (PAH)': 'health_trust',
      'The Elsenham Practice': 'gp_practice',
      'West Essex CCG': 'icb',
    });
  });

  it('are set by the migration for organisations that existed before it', async () => {
    const { db, destroy } = await createTestDb();
    try {
      const config = {
        directory: MIGRATIONS_DIR,
        loadExtensions: ['.ts'],
        name: '20261122040000_organisation_kinds.ts',
      };
      await db.migrate.down(config);
      await db('organisations').insert([
        { name: 'Kent Police', name_key: 'kentpolice' },
        { name: 'Harlow CCG', name_key: 'harlowccg' },
        { name: 'Somebody else', name_key: 'somebodyelse' },
      ]);
      await db.migrate.up(config);
      expect(await db('organisations').orderBy('id').pluck('kind')).toEqual(['police', 'icb', 'other']);
      await expect(db('organisations').insert({ name: 'X', name_key: 'x', kind: 'ccg' })).rejects.toThrow();
      await migrate(db);
    } finally {
      await destroy();
    }
  });
});

describe('the national figures', () => {
  it('count every recommendation and agency, overall, by theme, by type of agency and by CSP', async () => {
    const res = await t.api('secretariat').get('/national');
    expect(res.status).toBe(200);
    expect(res.body.today).toBe('2026-03-02');
    expect(res.body.filters).toEqual({});
    expect(res.body.totals).toEqual(TOTALS);
    expect(res.body.byKind).toEqual([
      { kind: 'police', label: 'Police', ...POLICE },
      { kind: 'childrens_services', label: "Children's services", ...NONE(5, 5) },
      { kind: 'health_trust', label: 'Hospital or health trust', ...NONE(2, 2) },
      { kind: 'gp_practice', label: 'GP practice', ...NONE(6, 11) },
      { kind: 'icb', label: 'Integrated care board (CCG)', ...NONE(1, 1) },
      { kind: 'mental_health', label: 'Mental health service', ...f(4, 4, 2, 2, 0, 1, [50, 100, 0]) },
      { kind: 'council', label: 'Council or local partnership', ...NONE(2, 2) },
      { kind: 'national_body', label: 'National body', ...NONE(1, 1) },
      { kind: 'other', label: 'Other', ...NONE(5, 5) },
    ]);
    // A recommendation counts under each of its themes: 1 is both Policing and Risk assessment.
    expect(res.body.byTheme).toEqual([
      { theme: 'Risk assessment', ...f(1, 1, 1, 1, 0, 1, [100, 100, 0]) },
      { theme: 'Children and families', ...NONE(5, 5) },
      { theme: 'Mental health', ...f(4, 4, 2, 2, 0, 1, [50, 100, 0]) },
      { theme: 'Policing', ...POLICING },
      { theme: 'Other', ...NONE(27, 35) },
    ]);
    expect(res.body.byCsp).toEqual([
      { cspId: t.ids.hackneyCsp, csp: 'Hackney CSP', ...HACKNEY_CSP },
      { cspId: harlowCsp, csp: 'Harlow CSP', ...HARLOW_CSP },
    ]);
    expect((await t.api('panel').get('/national')).body.totals).toEqual(TOTALS);
  });

  it('narrow to a theme, a type of agency, a CSP or what is overdue, and combine', async () => {
    const get = async (qs: string) => {
      const res = await t.api('secretariat').get(`/national?${qs}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const police = await get('kind=police');
    expect(police.filters).toEqual({ kind: 'police' });
    expect(police.totals).toEqual(POLICE);
    expect(police.byKind.map((k: { kind: string }) => k.kind)).toEqual(['police']);
    expect(police.byCsp).toEqual([{ cspId: t.ids.hackneyCsp, csp: 'Hackney CSP', ...POLICE }]);

    const policing = await get('theme=Policing');
    expect(policing.totals).toEqual(POLICING);
    expect(policing.byTheme.map((x: { theme: string }) => x.theme)).toEqual(['Risk assessment', 'Policing']);
    expect((await get('theme=Other')).totals).toEqual(NONE(27, 35));
    expect((await get(`cspId=${harlowCsp}`)).totals).toEqual(HARLOW_CSP);

    const overdue = await get('overdue=true');
    expect(overdue.totals).toEqual(f(2, 2, 2, 2, 0, 2, [100, 100, 0]));
    expect(overdue.byCsp.map((c: { csp: string; links: number }) => [c.csp, c.links])).toEqual([
      ['Hackney CSP', 1],
      ['Harlow CSP', 1],
    ]);
    expect((await get('kind=mental_health&overdue=true&theme=&cspId=')).totals).toEqual(
      f(1, 1, 1, 1, 0, 1, [100, 100, 0]),
    );
    expect((await get(`kind=police&cspId=${harlowCsp}`)).totals).toEqual(f(0, 0, 0, 0, 0, 0, [null, null, null]));
    expect((await get('overdue=false')).totals).toEqual(TOTALS);
  });

  it('refuse filters that cannot be', async () => {
    const bad = await t.api('secretariat').get('/national?kind=ccg&cspId=kent&overdue=yes&colour=blue');
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'colour',
      'cspId',
      'kind',
      'overdue',
    ]);
  });

  it('are for the panel and its secretariat only', async () => {
    for (const who of ['hackney', 'kent', 'kentPcc', 'metPcc'] as const) {
      expect((await t.api(who).get('/national')).status).toBe(403);
    }
    expect((await agency('met').get('/national')).status).toBe(403);
    for (const who of ['hackney', 'metPcc'] as const) {
      const web = await signedIn(t, who);
      expect((await web.get('/national')).status).toBe(403);
      expect((await web.get('/national.csv')).status).toBe(403);
    }
  });
});

describe('the CSV', () => {
  const HEADER = [
    'Review',
    'CSP',
    'Recommendation number',
    'Recommendation',
    'Themes',
    'Agency',
    'Type of agency',
    'Response',
    'Status',
    'Actions completed',
    'Actions',
    'Overdue actions',
  ];

  it('has a header and one row for each agency a recommendation is addressed to, quoted as RFC 4180 says', async () => {
    const web = await signedIn(t, 'secretariat');
    const res = await web.get('/national.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="?dhr-recommendations-2026-03-02\.csv"?$/,
    );
    expect(res.text.startsWith('\uFEFFReview,CSP,')).toBe(true);
    const records = parseCsv(res.text.slice(1));
    expect(records[0]).toEqual(HEADER);
    expect(records).toHaveLength(49);
    expect(records.every((r) => r.length === HEADER.length)).toBe(true);
    // Hackney's rows first, in the list's order.
    expect(records[1]).toEqual([
      hackney.reference,
      'Hackney CSP',
      '1',
      expect.stringMatching(/^The MPS should ensure/),
      'Policing; Risk assessment',
      'Metropolitan Police Service',
      'Police',
      'Accepted',
      // The Commissioner's scale: accepted, but nothing of it done yet.
      'Not met',
      '0',
      '1',
      '1',
    ]);
    expect(records[2]!.slice(2)).toEqual([
      '2a',
      expect.any(String),
      'Policing',
      'Metropolitan Police Service',
      'Police',
      'Partially accepted',
      // Its outcome achieved, for the part accepted.
      'Partly implemented',
      '1',
      '1',
      '0',
    ]);
    expect(records.filter((r) => r[1] === 'Harlow CSP')).toHaveLength(28);
    expect(records.filter((r) => r[2] === '11.4.1').map((r) => r[5])).toEqual([
      'Lister Medical Centre',
      'The Elsenham Practice',
    ]);
    // A comma inside a field is quoted; a double quote doubled.
    expect(res.text).toContain(',"Essex County Council (ECC), Children’s Social Care",Children\'s services,');
    expect(res.text).toContain(`,"'-1 in 3 officers were ""reminded"", at best",`);
    expect(res.text.split('\r\n')).toHaveLength(50);
  });

  it('neutralises a text a spreadsheet would run as a formula', async () => {
    const web = await signedIn(t, 'secretariat');
    const records = parseCsv((await web.get('/national.csv')).text.slice(1));
    const row = records.find((r) => r[2] === '2d')!;
    expect(row[3]).toBe(`'${FORMULA}`);
    expect(records.some((r) => r.some((cell) => /^[=+\-@]/.test(cell)))).toBe(false);
  });

  it('takes the same filters as the page', async () => {
    const web = await signedIn(t, 'panel');
    const records = parseCsv((await web.get('/national.csv?kind=mental_health')).text.slice(1));
    expect(records.slice(1).map((r) => [r[2], r[5], r[8], r[11]])).toEqual([
      ['11.7.1', 'NEPFT', 'Not met', '1'],
      ['11.7.2', 'NEPFT', 'Not met', '0'],
      ['11.7.3', 'NEPFT', 'Missing', '0'],
      ['11.7.4', 'NEPFT', 'Missing', '0'],
    ]);
    const overdue = parseCsv((await web.get('/national.csv?overdue=true&theme=Policing')).text.slice(1));
    expect(overdue.slice(1).map((r) => r[2])).toEqual(['1']);
    const rows = await t.services.national.rows((await t.services.accounts.findUserByEmail('panel@test.example'))!, {
      theme: 'Other',
    });
    expect(rows).toHaveLength(35);
  });
});

describe('the page', () => {
  /** The totals as the summary list shows them: key → the value's first line. */
  const totalsOf = (page: HTMLElement) =>
    Object.fromEntries(
      page
        .querySelectorAll('.govuk-summary-list__row')
        .map((row) => [row.querySelector('dt')!.text.trim(), row.querySelector('dd')!.text.trim().split(/\s+/)[0]]),
    );
  const tableOf = (page: HTMLElement, selector: string) =>
    page
      .querySelector(selector)!
      .querySelectorAll('tbody tr')
      .map((tr) => tr.querySelectorAll('th, td').map((cell) => cell.text.trim().replace(/\s+/g, ' ')));

  it('shows the filters, totals, the chart with its table alternative, and each breakdown', async () => {
    const web = await signedIn(t, 'secretariat');
    const res = await web.get('/national');
    expect(res.status).toBe(200);
    const page = parse(res.text);
    const nav = page.querySelectorAll('.govuk-service-navigation__link');
    expect(nav.find((a) => a.getAttribute('href') === '/national')!.text).toContain('Recommendations');

    const form = page.querySelector('form[action="/national"]')!;
    expect(form.getAttribute('method')).toBe('get');
    for (const name of ['theme', 'kind', 'cspId', 'overdue'])
      expect(form.querySelector(`[name="${name}"]`)).not.toBeNull();
    expect(form.querySelectorAll('#theme option').map((o) => o.text)).toEqual(
      expect.arrayContaining(['Any theme', 'Policing', 'Other (no theme yet)']),
    );

    expect(totalsOf(page)).toEqual({
      Recommendations: '40',
      'Responses due': '48',
      Responded: '5',
      'Accepted (in full or in part)': '4',
      Implemented: '1',
      'Overdue actions': '2',
    });

    const svg = page.querySelector('figure.app-chart svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-labelledby')).toBe('implemented-chart-title implemented-chart-desc');
    expect(svg.querySelector('title')!.text).toBe('Share of accepted recommendations implemented, by theme');
    expect(svg.querySelector('desc')!.text).toBe(
      'Horizontal bar chart, from 0 to 100%: Risk assessment, 0% (0 of 1 accepted); ' +
        'Children and families, none accepted yet; Mental health, 0% (0 of 2 accepted); ' +
        'Policing, 50% (1 of 2 accepted); Other, none accepted yet.',
    );
    const alternative = page.querySelector('#implemented-table')!;
    expect(alternative.querySelector('caption')!.text).toBe('Share of accepted recommendations implemented, by theme');
    expect(tableOf(page, '#implemented-table')).toEqual([
      ['Risk assessment', '1', '0', '0%'],
      ['Children and families', '0', '0', '–'],
      ['Mental health', '2', '0', '0%'],
      ['Policing', '2', '1', '50%'],
      ['Other', '0', '0', '–'],
    ]);

    expect(tableOf(page, '#by-theme')[3]).toEqual(['Policing', '4', '4', '3 (75%)', '2 (67%)', '1 (50%)', '1']);
    expect(tableOf(page, '#by-kind')[0]).toEqual(['Police', '17', '17', '3 (18%)', '2 (67%)', '1 (50%)', '1']);
    expect(tableOf(page, '#by-csp')).toEqual([
      ['Hackney CSP', '17', '20', '3 (15%)', '2 (67%)', '1 (50%)', '1'],
      ['Harlow CSP', '23', '28', '2 (7%)', '2 (100%)', '0 (0%)', '1'],
    ]);
    const hrefs = page.querySelectorAll('#by-kind a').map((a) => a.getAttribute('href'));
    expect(hrefs).toContain('/national?kind=gp_practice');
    const csv = page.querySelectorAll('a').find((a) => a.text.includes('Download as CSV'))!;
    expect(csv.getAttribute('href')).toBe('/national.csv');
    expect(page.querySelector('a[href="/admin/organisations"]')).not.toBeNull();
  });

  it('keeps the filters in the breakdown links and the CSV link, and drops values that cannot be', async () => {
    const web = await signedIn(t, 'panel');
    const res = await web.get(`/national?kind=police&theme=Nonsense&cspId=${t.ids.hackneyCsp}&overdue=true`);
    expect(res.status).toBe(200);
    const page = parse(res.text);
    const csv = page.querySelectorAll('a').find((a) => a.text.includes('Download as CSV'))!;
    expect(csv.getAttribute('href')).toBe(`/national.csv?kind=police&cspId=${t.ids.hackneyCsp}&overdue=true`);
    expect(page.querySelector('#kind option[selected]')!.getAttribute('value')).toBe('police');
    expect(page.querySelector('#theme option[selected]')!.getAttribute('value')).toBe('');
    expect(page.querySelector('#overdue')!.hasAttribute('checked')).toBe(true);
    expect(page.querySelector('#totals')!.text).toBe('Totals for these filters');
    expect(totalsOf(page)).toMatchObject({ Recommendations: '1', 'Responses due': '1', 'Overdue actions': '1' });
    expect(page.querySelectorAll('#by-theme a').map((a) => a.getAttribute('href'))).toContain(
      `/national?theme=Policing&kind=police&cspId=${t.ids.hackneyCsp}&overdue=true`,
    );
    // The panel does not administer organisations.
    expect(page.querySelector('a[href="/admin/organisations"]')).toBeNull();
    const none = parse((await web.get('/national?kind=housing')).text);
    expect(none.querySelector('main')!.text).toContain('No recommendations match these filters.');
    expect(none.querySelector('main')!.querySelectorAll('svg')).toHaveLength(0);
  });
});

describe('changing the type of an organisation', () => {
  // Each test puts the types back as the importer guessed them, so the figures elsewhere do not depend on the order.
  let guessed: { id: number; kind: string }[];
  beforeEach(async () => {
    guessed = await t.db('organisations').select('id', 'kind');
  });
  afterEach(async () => {
    for (const { id, kind } of guessed) await t.db('organisations').where({ id }).update({ kind });
  });

  it('is for the secretariat, through the API', async () => {
    const org = await t.db('organisations').where({ name_key: 'allagencies' }).first('id');
    expect((await t.api('panel').put(`/organisations/${org.id}`, { kind: 'council' })).status).toBe(403);
    expect((await t.api('hackney').put(`/organisations/${org.id}`, { kind: 'council' })).status).toBe(403);
    const bad = await t.api('secretariat').put(`/organisations/${org.id}`, { kind: 'ccg' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('kind');
    expect((await t.api('secretariat').put('/organisations/99999', { kind: 'council' })).status).toBe(404);
    const ok = await t.api('secretariat').put(`/organisations/${org.id}`, { kind: 'specialist_service' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: org.id, name: 'All Agencies', kind: 'specialist_service' });
    const byKind = (await t.api('secretariat').get('/national')).body.byKind;
    expect(byKind.find((k: { kind: string }) => k.kind === 'specialist_service').links).toBe(5);
    expect(byKind.find((k: { kind: string }) => k.kind === 'other')).toBeUndefined();
  });

  it('is for the secretariat, on the administration page', async () => {
    const panel = await signedIn(t, 'panel');
    expect((await panel.get('/admin/organisations')).status).toBe(403);

    const web = await signedIn(t, 'secretariat');
    const page = await web.get('/admin/organisations');
    expect(page.status).toBe(200);
    const nepft = await t.db('organisations').where({ name_key: 'nepft' }).first('id');
    const wecg = await t.db('organisations').where({ name_key: 'westessexccg' }).first('id');
    expect(page.text).toContain(
      `<label class="govuk-label govuk-visually-hidden" for="kind-${nepft.id}">Type of NEPFT</label>`,
    );
    expect(attributesOf(page.text, `#kind-${nepft.id} option[selected]`, 'value')).toEqual(['mental_health']);

    const refused = await web.form('/admin/organisations', {
      [`kind-${nepft.id}`]: 'health_trust',
      [`kind-${wecg.id}`]: 'x',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`<a href="#kind-${wecg.id}">Select the type of West Essex CCG</a>`);
    expect(await t.db('organisations').where({ id: nepft.id }).first('kind')).toEqual({ kind: 'mental_health' });

    const saved = await web.form('/admin/organisations', {
      [`kind-${nepft.id}`]: 'health_trust',
      [`kind-${wecg.id}`]: 'icb',
    });
    expect(saved.status).toBe(302);
    expect(saved.headers.location).toBe('/admin/organisations?saved=1');
    expect((await web.get('/admin/organisations?saved=1')).text).toContain('1 type changed');
    expect(await t.db('organisations').where({ id: nepft.id }).first('kind')).toEqual({ kind: 'health_trust' });
  });
});
