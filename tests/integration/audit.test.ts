import { createTestApp, submittedReview, type TestApp } from '../helpers/app';

let t: TestApp;
let id: number;
beforeAll(async () => {
  t = await createTestApp();
  id = await submittedReview(t, 'Mary');
});
afterAll(() => t.close());

describe('the audit trails', () => {
  it('take new events but refuse, in the database itself, any change or removal', async () => {
    const before = await t.db('review_events').where({ review_id: id }).orderBy('id');
    expect(before.length).toBeGreaterThan(0);
    await expect(t.db('review_events').where({ review_id: id }).update({ type: 'FORGED' })).rejects.toThrow(
      /audit trail/,
    );
    await expect(t.db('review_events').where({ review_id: id }).delete()).rejects.toThrow(/audit trail/);
    await expect(t.db.raw('TRUNCATE review_events CASCADE')).rejects.toThrow(/audit trail/);
    await expect(t.db('recommendation_events').delete()).rejects.toThrow(/audit trail/);
    expect(await t.db('review_events').where({ review_id: id }).orderBy('id')).toEqual(before);

    await t.api('secretariat').event(id, { type: 'PAUSE', category: 'inquest', reason: 'Inquest' });
    expect(await t.db('review_events').where({ review_id: id })).toHaveLength(before.length + 1);
  });
});
