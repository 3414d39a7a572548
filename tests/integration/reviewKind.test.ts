/**
 * What the reviews are called is a setting: "Domestic Homicide Review" until s.19 of the Victims
 * and Prisoners Act 2024 comes into force, "Domestic Abuse Related Death Review" from that day,
 * in every letter, email and report the service writes.
 */
import { createTestApp, submittedReview, type TestApp } from '../helpers/app';
import { isChecked } from '../helpers/page';
import { signedIn } from '../helpers/web';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const acknowledgementOf = async (id: number) => {
  const review = (await t.api('kent').get(`/reviews/${id}`)).body;
  const letter = review.letters.find((l: { kind: string }) => l.kind === 'acknowledgement');
  // The letter's text is wrapped for print: read as one line.
  const text = ((await t.api('kent').get(`/letters/${letter.id}`)).body.text as string).replace(/\s+/g, ' ');
  const mail = (await t.api('secretariat').get(`/mail?reviewId=${id}`)).body.find(
    (m: { kind: string }) => m.kind === 'acknowledgement',
  );
  return { text, subject: mail.subject as string };
};

describe('the name of the reviews', () => {
  it('is "Domestic Homicide Review" as shipped, and the new statutory name once the secretariat switches it', async () => {
    const before = await acknowledgementOf(await submittedReview(t, 'Rhea'));
    expect(before.text).toContain('the Domestic Homicide Review (DHR) report (Rhea)');
    expect(before.subject).toMatch(/^Domestic Homicide Review DHR-\d{4}-\d{4} \(Rhea\)/);

    const bad = await t.api('secretariat').patch('/settings', { reviewKind: 'dar' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'reviewKind', message: 'must be one of dhr, dardr' });

    const page = await signedIn(t, 'secretariat');
    await page.get('/admin/settings');
    const saved = await page.form('/admin/settings', {
      signatoryName: 'Chair of the Quality Assurance Panel',
      signatoryTitle: 'Home Office Domestic Homicide Review Quality Assurance Panel',
      letterheadTitle: 'Home Office',
      homeOfficeAddress: 'Public Protection Unit\n2 Marsham Street\nLondon\nSW1P 4DF',
      dhrMailbox: 'dhr-enquiries@dhr-qa.example',
      teamMailbox: '',
      commissionerMailbox: '',
      areaStyle: 'numbered',
      dateStyle: 'plain',
      addressIncludesCsp: 'yes',
      twoFactorForEveryone: 'no',
      reviewKind: 'dardr',
    });
    expect(saved.status).toBe(302);
    expect(isChecked((await page.get('/admin/settings')).text, 'reviewKind-dardr')).toBe(true);

    const after = await acknowledgementOf(await submittedReview(t, 'Sian'));
    expect(after.text).toContain('the Domestic Abuse Related Death Review (DARDR) report (Sian)');
    expect(after.subject).toMatch(/^Domestic Abuse Related Death Review DHR-\d{4}-\d{4} \(Sian\)/);
  });
});
