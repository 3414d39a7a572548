/**
 * Oversight (the `commissioner` role, such as the Domestic Abuse Commissioner's office): reads
 * every CSP's published reviews, their recommendations and the national pages, and changes
 * nothing; a review still in the process is as if it did not exist.
 */
import { createTestApp, hackneyRecommendations, reviewAt, type TestApp } from '../helpers/app';
import { errorSummary, rows, visible, attributesOf } from '../helpers/page';
import { signedIn } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** Published reviews of both CSPs, and Kent reviews still in the process (one with recommendations). */
async function world() {
  const hackney = await hackneyRecommendations(t, 'Hana');
  const kentPublished = await reviewAt(t, t.ids.kentCsp, 'published', 'Kira');
  const kentApproved = await reviewAt(t, t.ids.kentCsp, 'approved', 'Lola');
  const imported = await t.api('kent').post(`/reviews/${kentApproved}/recommendations/import`, {
    format: 'csv',
    content: 'number,recommendation,addressed to\n1,Train call handlers in risk assessment,Kent Police\n',
    dryRun: false,
  });
  expect(imported.status).toBe(200);
  const kentNotified = await reviewAt(t, t.ids.kentCsp, 'notified', 'Maud');
  return { hackney, kentPublished, kentApproved, kentNotified };
}
let w: Awaited<ReturnType<typeof world>>;
beforeAll(async () => {
  w = await world();
});

describe('oversight', () => {
  it("reads every CSP's published reviews and nothing still in the process", async () => {
    const list = await t.api('commissioner').get('/reviews');
    expect(list.status).toBe(200);
    expect(list.body.map((r: { pseudonym: string }) => r.pseudonym).sort()).toEqual(['Hana', 'Kira']);
    expect((await t.api('commissioner').get(`/reviews/${w.kentPublished}`)).body.state).toBe('published');
    for (const id of [w.kentApproved, w.kentNotified])
      expect((await t.api('commissioner').get(`/reviews/${id}`)).status).toBe(404);
    expect((await t.api('commissioner').get(`/reviews/${w.kentApproved}/recommendations`)).status).toBe(404);
    expect((await t.api('commissioner').get(`/reviews/${w.hackney}/recommendations`)).status).toBe(200);

    const page = await (await signedIn(t, 'commissioner')).get('/reviews');
    expect(page.status).toBe(200);
    expect(visible(page.text)).toContain('Published reviews');
    expect(rows(page.text)).toContain('Hana');
    expect(rows(page.text)).not.toContain('Lola');
    // No state to choose and nothing overdue among published reviews.
    expect(page.text).not.toContain('name="state"');
    expect(page.text).not.toContain('name="overdue"');
  });

  it('changes nothing: every event is refused, and the review page offers none', async () => {
    const refused = await t
      .api('commissioner')
      .event(w.kentPublished, { type: 'PAUSE', category: 'other', reason: 'x' });
    expect(refused.status).toBe(403);
    const review = (await t.api('commissioner').get(`/reviews/${w.kentPublished}`)).body;
    expect(review.version).toBe((await t.api('secretariat').get(`/reviews/${w.kentPublished}`)).body.version);
    expect(review.allowedEvents).toEqual([]);

    const page = await (await signedIn(t, 'commissioner')).get(`/reviews/${w.kentPublished}`);
    expect(page.status).toBe(200);
    // Every form on the page signs out (the menu's, and the session timeout warning's).
    expect(new Set(attributesOf(page.text, 'form', 'action'))).toEqual(new Set(['/sign-out']));
  });

  it('reads the national pages, counting the recommendations of published reviews only', async () => {
    const asOversight = (await t.api('commissioner').get('/national')).body;
    const asSecretariat = (await t.api('secretariat').get('/national')).body;
    expect(asSecretariat.totals.recommendations).toBe(asOversight.totals.recommendations + 1);
    expect(asOversight.byCsp.map((c: { csp: string }) => c.csp)).toEqual(['Hackney CSP']);

    // Time taken counts the stages of published reviews alone, as oversight reads no other.
    const times = async (who: 'commissioner' | 'secretariat') =>
      (await t.api(who).get('/stage-times?stage=approval_to_publication')).body.stages.find(
        (s: { stage: string }) => s.stage === 'panel_to_letter',
      ).ended as number;
    expect(await times('secretariat')).toBe((await times('commissioner')) + 1);

    const s = await signedIn(t, 'commissioner');
    for (const url of ['/national', '/time-taken', '/national.csv']) expect((await s.get(url)).status).toBe(200);
    for (const url of ['/dashboard', '/meetings', '/admin', '/mail']) expect((await s.get(url)).status).toBe(403);
    const home = await s.get('/');
    expect(home.headers.location).toBe('/reviews');
    const nav = visible(/<nav[\s\S]*?<\/nav>/.exec((await s.get('/reviews')).text)![0]);
    expect(nav).toContain('Published reviews Recommendations Time taken Your account');
  });

  it('is an account the secretariat adds with no CSP, force area or organisation', async () => {
    const admin = await signedIn(t, 'secretariat');
    const form = await admin.get('/admin/users/new');
    expect(visible(form.text)).toContain('Oversight');
    const fields = {
      name: 'Commissioner’s office',
      email: 'oversight@test.example',
      role: 'commissioner',
      password: 'a long and unusual passphrase',
    };
    const scoped = await admin.form('/admin/users', { ...fields, cspId: String(t.ids.kentCsp) });
    expect(scoped.status).toBe(422);
    expect(errorSummary(scoped.text).join(' ')).toMatch(/CSP/);
    expect(await t.db('users').where({ email: 'oversight@test.example' }).first()).toBeUndefined();

    await admin.get('/admin/users/new');
    const added = await admin.form('/admin/users', fields);
    expect(added.status).toBe(302);
    expect(await t.db('users').where({ email: 'oversight@test.example' }).first('role')).toEqual({
      role: 'commissioner',
    });
  });
});
