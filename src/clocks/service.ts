import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import { processCache, versionOf } from '../db/cacheVersions';
import type { Clock } from '../core/clock';
import type { User } from '../core/user';
import { ConflictError, ForbiddenError } from '../core/errors';
import { isoDate, oneLine, parse, text } from '../core/validation';
import { DAY_UNITS, dayOf } from './days';
import { SHIPPED_BANK_HOLIDAYS, SHIPPED_DUE_SOON_DAYS, SHIPPED_TARGETS } from './defaults';
import { CLOCK_SOURCE_COLUMNS, clockSourceOf, dueOf, writeDue, type Due } from './due';
import { STAGES, stageClocks, type ClockSource, type Stage, type TargetVersion } from './stages';

/** Reviews whose due days are measured and written at once, when the targets change. */
const REFRESH_CHUNK = 500;

export interface BankHoliday {
  date: string;
  name: string;
}

/** The targets as the secretariat keeps them: every version, and the bank holidays of the newest. */
export interface StageTargets {
  /** Oldest first; version 0 is what shipped, in force until the first one saved. */
  versions: (TargetVersion & { savedBy: string | null })[];
  current: TargetVersion;
  bankHolidays: BankHoliday[];
}

const SHIPPED: TargetVersion & { savedBy: null } = {
  version: 0,
  from: '0000-01-01',
  targets: SHIPPED_TARGETS,
  dueSoonDays: SHIPPED_DUE_SOON_DAYS,
  savedBy: null,
};

const target = z.strictObject(
  {
    days: z
      .number({ error: 'must be a number of days' })
      .int({ error: 'must be a whole number of days' })
      .min(1, { error: 'must be at least 1 day' })
      .max(1000, { error: 'must be at most 1,000 days' }),
    unit: z.enum(DAY_UNITS, { error: `must be one of ${DAY_UNITS.join(', ')}` }),
  },
  { error: 'must be an object such as {"days": 15, "unit": "working_days"}' },
);

const targetsSchema = z.strictObject({
  targets: z.strictObject(Object.fromEntries(STAGES.map((stage) => [stage, target])) as Record<Stage, typeof target>, {
    error: `must be an object with a target for each stage: ${STAGES.join(', ')}`,
  }),
  dueSoonDays: z
    .number({ error: 'must be a number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(0, { error: 'must be 0 or more' })
    .max(100, { error: 'must be at most 100 days' }),
  bankHolidays: z
    .array(z.strictObject({ date: isoDate, name: oneLine(text(100)) }), { error: 'must be a list' })
    // An empty list would count every weekday as a working day: a box emptied by mistake, not a policy.
    .min(1, { error: 'must list at least one bank holiday' })
    .max(500, { error: 'must have at most 500 days' })
    .refine((days) => new Set(days.map((d) => d.date)).size === days.length, {
      error: 'must list each day once',
    }),
  /** The version the change was made to: a save over a newer one is refused rather than lost. */
  expectedVersion: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .nonnegative({ error: 'must not be negative' })
    .optional(),
});

/**
 * The targets each stage of a review is measured against, versioned: saving makes a new
 * version, which applies to stages that begin from that day; a stage already running keeps
 * the target it began with, as the CSP was told. The bank holidays are facts, not policy:
 * the newest list applies to every clock. Kept in the process (see src/db/cacheVersions.ts).
 */
export function createStageTargets(db: Db, clock: Clock) {
  const cache = processCache(db, 'stage_targets', async (conn) => {
    const { rows } = await conn.raw(
      `select c.version as cache_version, t.id, t.targets, t.due_soon_days, t.bank_holidays, t.created_at, u.name as saved_by
         from (select ${versionOf('stage_targets')} as version) c
         left join stage_targets t on true
         left join users u on u.id = t.created_by
        order by t.id`,
    );
    const saved = (rows as Record<string, unknown>[]).filter((r) => r.id !== null);
    const versions = [
      SHIPPED,
      ...saved.map((r) => ({
        version: Number(r.id),
        from: dayOf(r.created_at as Date),
        targets: r.targets as TargetVersion['targets'],
        dueSoonDays: Number(r.due_soon_days),
        savedBy: (r.saved_by as string | null) ?? null,
      })),
    ];
    const newest = saved.at(-1);
    const bankHolidays = newest ? (newest.bank_holidays as BankHoliday[]) : [...SHIPPED_BANK_HOLIDAYS];
    return {
      value: {
        targets: { versions, current: versions.at(-1)!, bankHolidays } satisfies StageTargets,
        // Made once per reading, not on every review page.
        holidays: new Set(bankHolidays.map((h) => h.date)) as ReadonlySet<string>,
      },
      version: Number(rows[0]?.cache_version ?? 0),
    };
  });

  async function clocksOf(source: ClockSource, conn: Conn = db) {
    const { targets, holidays } = await cache.get(conn);
    return stageClocks(source, targets.versions, holidays, dayOf(clock.now()));
  }

  /**
   * Measures again the due day kept on each review that may have a running clock (or, with
   * `missingOnly`, each that should have one and has none: a database from before the days were
   * kept). Done when the targets or bank holidays change, a few hundred reviews at a time. A
   * review with no clock running (ended, on hold, or its revisions with the secretariat) is left
   * out: its columns are already empty, and measuring it at every start-up would cost for nothing.
   */
  async function refreshDue(conn: Conn = db, { missingOnly = false } = {}): Promise<number> {
    const { rows } = await conn.raw(
      `select r.id, ${CLOCK_SOURCE_COLUMNS} from reviews r
        where r.state not in ('published', 'closed', 'withdrawn', 'on_hold', 'revisions_submitted')${missingOnly ? ' and r.clock_overdue_from is null' : ''}`,
    );
    for (let at = 0; at < rows.length; at += REFRESH_CHUNK) {
      const chunk = (rows as Record<string, unknown>[]).slice(at, at + REFRESH_CHUNK);
      const due = [];
      for (const r of chunk) due.push({ id: r.id as number, due: dueOf(await clocksOf(clockSourceOf(r), conn)) });
      await writeDue(conn, due);
    }
    return rows.length;
  }

  return {
    /** Every version and the bank holidays (a kept value: read, never change, what is returned). */
    get: async (conn: Conn = db): Promise<StageTargets> => (await cache.get(conn)).targets,

    /** The bank holidays' days, for counting working days (a kept value too). */
    holidays: async (conn: Conn = db): Promise<ReadonlySet<string>> => (await cache.get(conn)).holidays,

    /** A review's clocks as of today, from what its read model holds. */
    clocksOf,

    /** The clock a review runs against and its last day within target, for the columns kept on it. */
    async dueFor(source: ClockSource, conn: Conn = db): Promise<Due | null> {
      return dueOf(await clocksOf(source, conn));
    },

    refreshDue,

    /**
     * Saves a new version: every stage's target, the "due soon" margin and the bank holidays.
     * Saves are taken one at a time; one made to an older version than the newest is refused,
     * and one that changes nothing (a form sent twice) makes no version.
     */
    async save(user: User, input: unknown): Promise<StageTargets & { changed: boolean }> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change the targets');
      const { expectedVersion, ...parsed } = parse(targetsSchema, input);
      const bankHolidays = [...parsed.bankHolidays].sort((a, b) => a.date.localeCompare(b.date));
      let changed = false;
      try {
        await db.transaction(async (trx) => {
          await trx.raw("select pg_advisory_xact_lock(hashtext('stage_targets'))");
          cache.forget();
          const { current, bankHolidays: holidaysNow } = (await cache.get(trx)).targets;
          if (expectedVersion !== undefined && expectedVersion !== current.version) {
            throw new ConflictError(
              `The targets have changed since you opened them (you changed version ${expectedVersion}, they are now at version ${current.version}). Reload the page and make your change again.`,
            );
          }
          const same =
            STAGES.every(
              (s) =>
                current.targets[s].days === parsed.targets[s].days &&
                current.targets[s].unit === parsed.targets[s].unit,
            ) &&
            current.dueSoonDays === parsed.dueSoonDays &&
            holidaysNow.length === bankHolidays.length &&
            holidaysNow.every((h, i) => h.date === bankHolidays[i]!.date && h.name === bankHolidays[i]!.name);
          if (same) return;
          await trx('stage_targets').insert({
            targets: JSON.stringify(parsed.targets),
            due_soon_days: parsed.dueSoonDays,
            bank_holidays: JSON.stringify(bankHolidays),
            created_by: user.id,
            created_at: clock.now(),
          });
          changed = true;
          // A stage begun today, and every count of working days, may now end on another day.
          cache.forget();
          await refreshDue(trx);
        });
      } finally {
        cache.forget();
      }
      return { ...(await cache.get()).targets, changed };
    },
  };
}

export type StageTargetsService = ReturnType<typeof createStageTargets>;
