import { createTestApp, reviewAt, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';
import { banner, errorSummary, visible } from '../helpers/page';

/**
 * The review's scoping and direction: whether the Secretary of State directed it, and the early
 * learning and immediate actions its scoping found, carried on the review's page.
 */
let t: TestApp;
let review: number;

beforeAll(async () => {
  t = await createTestApp();
  review = await reviewAt(t, t.ids.kentCsp, 'notified', 'Scoped');
});
afterAll(() => t.close());

describe('scoping and direction', () => {
  it('is recorded by the CSP, shown to whoever reads the review, and kept in its history without its words', async () => {
    const url = `/reviews/${review}/scoping`;
    const missing = await t.api('kent').put(url, { earlyLearning: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ field: 'directedBySecretaryOfState', message: 'is required' }]);
    const nul = await t.api('kent').put(url, { directedBySecretaryOfState: false, earlyLearning: 'a\u0000b' });
    expect(nul.status).toBe(422);
    expect(nul.body.errors[0].field).toBe('earlyLearning');
    expect((await t.api('hackney').put(url, { directedBySecretaryOfState: true })).status).toBe(404);
    for (const who of ['kentPcc', 'panel', 'commissioner'] as const)
      expect((await t.api(who).put(url, { directedBySecretaryOfState: true })).status).toBe(403);

    const scoping = {
      directedBySecretaryOfState: true,
      earlyLearning: 'GP practices did not share the MARAC referral with the health visitor.',
      immediateActions: 'The ICB has reissued its information-sharing guidance to every practice.',
    };
    expect((await t.api('kent').put(url, scoping)).body).toEqual({ changed: true });
    expect((await t.api('kent').put(url, scoping)).body).toEqual({ changed: false });
    const seen = (await t.api('kentPcc').get(`/reviews/${review}`)).body;
    expect(seen.scoping).toEqual(scoping);
    const line = seen.history.at(-1);
    expect(line).toMatchObject({ type: 'SCOPING_RECORDED' });
    expect(JSON.stringify(line)).not.toContain('MARAC');

    const published = await reviewAt(t, t.ids.kentCsp, 'published', 'Done');
    const late = await t.api('kent').put(`/reviews/${published}/scoping`, scoping);
    expect(late.status).toBe(409);
  });

  it('is changed on its own page, with GOV.UK errors', async () => {
    await t.api('kent').put(`/reviews/${review}/scoping`, {
      directedBySecretaryOfState: true,
      earlyLearning: 'GP practices did not share the MARAC referral with the health visitor.',
    });
    const csp = await signedIn(t, 'kent');
    const page = await csp.get(`/reviews/${review}`);
    expect(visible(page.text)).toContain('Directed by the Secretary of State Yes');
    expect(visible(page.text)).toContain('Early learning GP practices did not share the MARAC referral');
    const form = await csp.get(`/reviews/${review}/scoping`);
    expect(form.status).toBe(200);
    const bad = await csp.form(`/reviews/${review}/scoping`, { earlyLearning: 'Kept as typed' });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual(['Select whether the Secretary of State directed the review']);
    expect(bad.text).toContain('Kept as typed</textarea>');
    const saved = await csp.form(`/reviews/${review}/scoping`, {
      directedBySecretaryOfState: 'no',
      earlyLearning: '',
      immediateActions: '',
    });
    expect(saved.status).toBe(302);
    const after = await csp.get(saved.headers.location);
    expect(banner(after.text)).toContain('Scoping and direction saved');
    expect(visible(after.text)).toContain('Directed by the Secretary of State No');
  });
});
