import type { Knex } from 'knex';
import type { Stage } from '../clocks/stages';

/**
 * What "overdue" means, in one place, so the dashboard, the reviews list filter, the API and
 * the reminders worker (src/services/reminders.ts) agree with the clocks on each review's page:
 * the review's running stage clock (src/clocks) has counted a day past its target. Each review
 * keeps the first such day (`clock_overdue_from`: the next day counted after `clock_due_on`,
 * so a Monday after a Friday due day for working days; null while no clock runs, on hold for
 * one), written with every change of state, so the rule is one indexed comparison with today.
 */
export function whereOverdue(q: Knex.QueryBuilder, today: string, stages?: readonly Stage[]): Knex.QueryBuilder {
  q.where('r.clock_overdue_from', '<=', today);
  if (stages) q.whereIn('r.clock_stage', stages);
  return q;
}

/** Whole days from a day (a DATE's YYYY-MM-DD) or a moment to now. */
export function daysSince(value: Date | string, now: Date): number {
  const from = typeof value === 'string' && value.length === 10 ? Date.parse(`${value}T00:00:00Z`) : new Date(value);
  return Math.floor((now.getTime() - Number(from)) / 86_400_000);
}
