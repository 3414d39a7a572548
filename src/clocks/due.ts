import type { Conn } from '../db/connect';
import { isoFromJson, toIso } from '../core/clock';
import type { ReviewContext, ReviewState } from '../workflow/types';
import type { ClockSource, PauseCategory, Stage, StageClock } from './stages';

/**
 * What a review's clocks are measured from, read in SQL on `reviews as r`: its details, its
 * changes of state (with why it was put on hold) and its rounds. One reading serves the review
 * page, the national figures and the due days kept on each review.
 */
export const CLOCK_HISTORY_SQL = `(select coalesce(json_agg(json_build_object('from', e.from_state, 'to', e.to_state,
     'at', e.at, 'category', e.payload->>'category') order by e.id), '[]'::json)
   from review_events e where e.review_id = r.id and e.from_state is distinct from e.to_state)`;
export const CLOCK_ROUNDS_SQL = `(select coalesce(json_agg(json_build_object('number', ro.number, 'outcome', ro.outcome,
     'meetingDate', m.date, 'letterSentAt', ro.letter_sent_at) order by ro.number), '[]'::json)
   from rounds ro left join panel_meetings m on m.id = ro.panel_meeting_id where ro.review_id = r.id)`;
export const CLOCK_SOURCE_COLUMNS = `r.notified_on, r.created_at,
  r.context->'publication'->>'publishedOn' as published_on,
  ${CLOCK_HISTORY_SQL} as history, ${CLOCK_ROUNDS_SQL} as rounds`;

/** A row read with CLOCK_SOURCE_COLUMNS as the clocks take it. */
export function clockSourceOf(r: Record<string, unknown>): ClockSource {
  return {
    notifiedOn: r.notified_on as string | null,
    publishedOn: r.published_on as string | null,
    createdAt: toIso(r.created_at as Date)!,
    history: (r.history as { from: string | null; to: string; at: string; category: string | null }[]).map((h) => ({
      ...h,
      at: isoFromJson(h.at)!,
      category: h.category as ClockSource['history'][number]['category'],
    })),
    rounds: (r.rounds as ClockSource['rounds']).map((ro) => ({ ...ro, letterSentAt: isoFromJson(ro.letterSentAt) })),
  };
}

/**
 * A review's clock source as it is once an event is recorded, from the source before it: the
 * change of state joins the history, and the current round is as the machine's new context holds
 * it (its outcome, when its letter went), a round just recorded taking the meeting in the context.
 * So the event's transaction can keep the due day without reading the review again.
 */
export function sourceAfter(
  before: ClockSource,
  event: { from: ReviewState; to: ReviewState; at: string; category?: PauseCategory | null; notifiedOn: string | null },
  context: ReviewContext,
  meetingDate: string | null,
): ClockSource {
  const current = before.rounds.find((r) => r.number === context.round);
  const rounds = before.rounds.filter((r) => r.number < context.round);
  if (context.round > 0) {
    rounds.push({
      number: context.round,
      outcome: context.outcome ?? '',
      meetingDate: current ? current.meetingDate : meetingDate,
      letterSentAt: context.letterSentAt,
    });
  }
  return {
    ...before,
    notifiedOn: event.notifiedOn,
    publishedOn: context.publication?.publishedOn ?? null,
    history:
      event.from === event.to
        ? before.history
        : [...before.history, { from: event.from, to: event.to, at: event.at, category: event.category ?? null }],
    rounds,
  };
}

/** The clock a review is running against now, and the last day within its target; null when none runs. */
export interface Due {
  stage: Stage;
  startedOn: string;
  dueOn: string;
  /** The first day it is overdue: the next day counted after dueOn. */
  overdueFrom: string;
}

/**
 * The review's running clock: the one that has not ended and is neither on hold nor stopped
 * (a review is in one stage at a time; the earliest due, should two ever run).
 */
export function dueOf(clocks: readonly StageClock[]): Due | null {
  const running = clocks
    .filter((c) => c.endedOn === null && c.dueOn !== null)
    .sort((a, b) => a.dueOn!.localeCompare(b.dueOn!))[0];
  return running
    ? { stage: running.stage, startedOn: running.startedOn, dueOn: running.dueOn!, overdueFrom: running.overdueFrom! }
    : null;
}

/** The columns that keep a review's due day, so lists, the dashboard and reminders can filter on it. */
export const dueColumns = (due: Due | null) => ({
  clock_stage: due?.stage ?? null,
  clock_started_on: due?.startedOn ?? null,
  clock_due_on: due?.dueOn ?? null,
  clock_overdue_from: due?.overdueFrom ?? null,
});

/** Writes many reviews' due days in one statement. */
export async function writeDue(conn: Conn, rows: { id: number; due: Due | null }[]): Promise<void> {
  if (rows.length === 0) return;
  await conn.raw(
    `update reviews r set clock_stage = v.stage, clock_started_on = v.started_on, clock_due_on = v.due_on,
                          clock_overdue_from = v.overdue_from
       from (values ${rows.map(() => '(?::int, ?::text, ?::date, ?::date, ?::date)').join(', ')})
            as v(id, stage, started_on, due_on, overdue_from)
      where r.id = v.id`,
    rows.flatMap((r) => {
      const c = dueColumns(r.due);
      return [r.id, c.clock_stage, c.clock_started_on, c.clock_due_on, c.clock_overdue_from];
    }),
  );
}
