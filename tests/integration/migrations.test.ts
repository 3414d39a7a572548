import { MIGRATIONS_DIR, migrate } from '../../src/db/connect';
import { createTestDb } from '../helpers/db';

describe('migrations', () => {
  it('build every table from an empty database, roll back to nothing and build again', async () => {
    const { db, destroy } = await createTestDb();
    try {
      const tables = async () =>
        (
          await db.raw(
            "select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'knex_%' order by 1",
          )
        ).rows.map((r: { table_name: string }) => r.table_name);
      expect(await tables()).toEqual([
        'account_events',
        'action_updates',
        'api_tokens',
        'cache_versions',
        'csps',
        'distribution_entries',
        'documents',
        'house_templates',
        'kept_forms',
        'letters',
        'organisations',
        'outbox',
        'panel_meetings',
        'password_resets',
        'police_force_areas',
        'qa_criteria_versions',
        'qa_marks',
        'recommendation_actions',
        'recommendation_agencies',
        'recommendation_events',
        'recommendations',
        'reference_counters',
        'reminders',
        'review_events',
        'reviews',
        'revision_items',
        'rounds',
        'settings',
        'sign_in_failures',
        'stage_targets',
        'users',
        'web_sessions',
      ]);
      await db.migrate.rollback({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] }, true);
      expect(await tables()).toEqual([]);
      await migrate(db);
      expect(await tables()).toHaveLength(32);
    } finally {
      await destroy();
    }
  });
});
