import { createTestApp, reviewAt, type TestApp } from '../helpers/app';
import { seed } from '../helpers/seeds';
import { signedIn } from '../helpers/web';

let t: TestApp;
let reviewId: number;
beforeAll(async () => {
  t = await createTestApp();
  reviewId = await reviewAt(t, t.ids.hackneyCsp, 'published', 'Hackney review');
});
afterAll(() => t.close());

const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
const count = async () => Number((await t.db('recommendations').count('* as n'))[0]!.n);

describe('importing recommendations through the page', () => {
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
    expect(preview.text.match(/<tr class="govuk-table__row">/g)!.length - 1).toBe(17);
    expect(preview.text).toContain('City and Hackney Safeguarding Children Board');
    expect(await count()).toBe(0);

    const saved = await csp.form(`/reviews/${reviewId}/recommendations/import`, {
      format: 'text',
      content: HACKNEY,
      action: 'save',
    });
    expect(saved.status).toBe(302);
    expect(saved.headers.location).toBe(`/reviews/${reviewId}/recommendations?imported=1`);
    expect(await count()).toBe(17);
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
