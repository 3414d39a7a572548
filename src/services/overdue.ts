import type { Knex } from 'knex';
import { toIsoDate } from '../core/clock';
import type { Settings } from './settings';

const DAY = 86_400_000;

/**
 * What "overdue" means, in one place, so the dashboard, the reviews list filter, the
 * API and the reminders worker (src/services/reminders.ts) agree: the worker picks the
 * reviews due a reminder or alert with `whereOverdue`, so a review shows as overdue
 * exactly when its reminder or alert is due:
 * - being revised, the current round's letter sent `revisionReminderDays` ago or more,
 *   with items still open or returned;
 * - waiting for its letter, the current round's panel meeting `draftLetterAlertDays`
 *   ago or more;
 * - approved `publicationReminderDays` ago or more and not yet published.
 *
 * Each is a correlated subquery on `reviews as r`, which yields the date the clock
 * started from (or null), so the same expressions filter and explain.
 */
export const OVERDUE_SINCE = {
  revising: `(select ro.letter_sent_at from rounds ro
               where ro.review_id = r.id and ro.number = (r.context->>'round')::int
                 and exists (select 1 from revision_items i
                              where i.round_id = ro.id and i.status in ('open', 'returned')))`,
  letterPending: `(select m.date from rounds ro join panel_meetings m on m.id = ro.panel_meeting_id
                    where ro.review_id = r.id and ro.number = (r.context->>'round')::int)`,
  approved: `(select max(e.at) from review_events e
               where e.review_id = r.id and e.to_state = 'approved' and e.from_state is distinct from e.to_state)`,
} as const;

/** The settings the overdue rule reads. */
export type OverdueThresholds = Pick<
  Settings,
  'revisionReminderDays' | 'draftLetterAlertDays' | 'publicationReminderDays'
>;

/** The states in which a review can be overdue. */
export type OverdueState = 'revising' | 'letter_pending' | 'approved';
const OVERDUE_STATES: readonly OverdueState[] = ['revising', 'letter_pending', 'approved'];

/** For each state, the clock start at or before which the review is overdue, as a bound condition. */
function overdueConditions(
  now: Date,
  s: OverdueThresholds,
): Record<OverdueState, { sql: string; cutoff: Date | string }> {
  const before = (days: number) => new Date(now.getTime() - days * DAY);
  return {
    revising: { sql: `${OVERDUE_SINCE.revising} <= ?`, cutoff: before(s.revisionReminderDays) },
    // The meeting is a calendar date: compared as one.
    letter_pending: {
      sql: `${OVERDUE_SINCE.letterPending} <= ?::date`,
      cutoff: toIsoDate(before(s.draftLetterAlertDays)),
    },
    approved: { sql: `${OVERDUE_SINCE.approved} <= ?`, cutoff: before(s.publicationReminderDays) },
  };
}

/** Decides which reviews are overdue: keeps, of a query on `reviews as r`, those overdue as of `now` in `states`. */
export function whereOverdue(
  q: Knex.QueryBuilder,
  now: Date,
  s: OverdueThresholds,
  states: readonly OverdueState[] = OVERDUE_STATES,
): Knex.QueryBuilder {
  const conditions = overdueConditions(now, s);
  return q.whereRaw(
    `(${states.map((state) => `(r.state = '${state}' and ${conditions[state].sql})`).join(' or ')})`,
    states.map((state) => conditions[state].cutoff),
  );
}

/** Whole days from a day (a DATE's YYYY-MM-DD) or a moment to now. */
export function daysSince(value: Date | string, now: Date): number {
  const from = typeof value === 'string' && value.length === 10 ? Date.parse(`${value}T00:00:00Z`) : new Date(value);
  return Math.floor((now.getTime() - Number(from)) / DAY);
}
