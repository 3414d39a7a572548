import { createTestApp, meeting, submittedReview, type TestApp } from '../helpers/app';
import { signedIn } from '../helpers/web';
import { section } from '../helpers/page';

let t: TestApp;
const ids: number[] = [];
beforeAll(async () => {
  t = await createTestApp();
  for (let i = 1; i <= 11; i++) ids.push(await submittedReview(t, `Person ${i}`));
}, 120_000);
afterAll(() => t.close());

describe('the dashboard at volume', () => {
  it('shows the ten reviews that have waited longest, how many there are, and links to the rest', async () => {
    const s = await signedIn(t, 'secretariat');
    const res = await s.get('/dashboard');
    const toSchedule = section(res.text, 'to-schedule');
    expect(toSchedule).toContain('Reviews to schedule (11)');
    expect(toSchedule).toContain('Showing the 10 that have waited longest of 11');
    expect(toSchedule).toContain('(Person 1)');
    expect(toSchedule).toContain('(Person 10)');
    expect(toSchedule).not.toContain('(Person 11)');
    // Handlebars writes "=" in attributes as an entity.
    expect(res.text).toContain('href="/reviews?state&#x3D;submitted"');
  });

  it('reflects a change made a moment ago, even though it reuses its figures while nothing changes', async () => {
    const s = await signedIn(t, 'secretariat');
    const first = (await s.get('/dashboard')).text;
    expect(section(first, 'next-meeting')).toContain('No panel meeting is set from today on. Add the next meeting');
    const before = section(first, 'to-schedule');
    expect(before).toContain('Reviews to schedule (11)');
    // A meeting already held is not the next one; the one to come is, with its agenda so far.
    await meeting(t, '2026-02-20');
    const next = await meeting(t, '2026-04-15');
    const scheduled = await t.api('secretariat').event(ids[0]!, { type: 'SCHEDULE', meetingId: next });
    expect(scheduled.status).toBe(200);
    const now = (await s.get('/dashboard')).text;
    expect(section(now, 'next-meeting')).toContain(
      'Next panel meeting: 15 April 2026 , with 1 review on its agenda so far.',
    );
    expect(now).toContain(`href="/meetings/${next}">15 April 2026</a>`);
    const after = section((await s.get('/dashboard')).text, 'to-schedule');
    expect(after).toContain('Reviews to schedule (10)');
    expect(after).not.toContain('(Person 1)');
    expect(after).toContain('(Person 11)');
    expect(after).not.toContain('Showing the');
    expect(section((await s.get('/dashboard')).text, 'pipeline')).toContain('Scheduled for a panel meeting 1');
  });
});
