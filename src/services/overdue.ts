import type { Knex } from 'knex';
import { toIsoDate } from '../core/clock';
import type { Settings } from './settings';

const DAY = 86_400_000;

/**
 * What "overdue" means, in one place, so the dashboard, the reviews list filter and
 * the API agree. It is the rule the reminders worker applies (src/services/reminders.ts),
 * read from the same dates, so a review shows as overdue exactly when its reminder or
 * alert is due:
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

type Thresholds = Pick<Settings, 'revisionReminderDays' | 'draftLetterAlertDays' | 'publicationReminderDays'>;

/** Restricts a query on `reviews as r` to the overdue reviews as of `now`. */
export function whereOverdue(q: Knex.QueryBuilder, now: Date, s: Thresholds): Knex.QueryBuilder {
  const before = (days: number) => new Date(now.getTime() - days * DAY);
  // The meeting is a calendar date: compared as one, as the draft letter alert does.
  return q.whereRaw(
    `((r.state = 'revising' and ${OVERDUE_SINCE.revising} <= ?)
      or (r.state = 'letter_pending' and ${OVERDUE_SINCE.letterPending} <= ?::date)
      or (r.state = 'approved' and ${OVERDUE_SINCE.approved} <= ?))`,
    [before(s.revisionReminderDays), toIsoDate(before(s.draftLetterAlertDays)), before(s.publicationReminderDays)],
  );
}

/** Whole days from a date or timestamp to now. */
export function daysSince(value: Date | string, now: Date): number {
  const from = typeof value === 'string' && value.length === 10 ? Date.parse(`${value}T00:00:00Z`) : new Date(value);
  return Math.floor((now.getTime() - Number(from)) / DAY);
}
