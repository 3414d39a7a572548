import type { Db } from '../db/connect';
import { stateLabel } from '../workflow/lifecycle';
import { FINAL_STATES, STATES, type ReviewState } from '../workflow/types';

export interface PipelineStats {
  /** How many reviews are in each state now, in the order of STATES, zeros included. */
  counts: { state: ReviewState; label: string; count: number }[];
  /** For each non-final state, the median length of a visit to it in days (one decimal), and how many visits. */
  stages: { state: ReviewState; label: string; medianDays: number | null; samples: number }[];
}

const capitalised = (state: ReviewState) => {
  const label = stateLabel(state);
  return label.charAt(0).toUpperCase() + label.slice(1);
};

/**
 * Visits to a state, from the audit trail. Only events that change the state
 * (from_state distinct from to_state, the first NOTIFY included) start or end a
 * visit: each such event starts a visit to its to_state, which lasts until the
 * review's next state-changing event, or until `now` when there is none yet.
 * Events that keep the state (documents attached, items answered, a review moved
 * to another meeting, reminders) neither split nor end a visit. Events are taken
 * in the order they were written (id), which is the order of the review's history.
 * A visit still open at a `now` earlier than its start counts as 0 days.
 */
const STAGES_SQL = `
  with transitions as (
    select e.to_state as state,
           e.at,
           lead(e.at) over (partition by e.review_id order by e.id) as left_at
      from review_events e
     where e.from_state is distinct from e.to_state
  )
  select state,
         count(*)::int as samples,
         round(
           (percentile_cont(0.5) within group (
              order by greatest(extract(epoch from (coalesce(left_at, ?::timestamptz) - at)), 0) / 86400.0
           ))::numeric,
           1
         ) as median_days
    from transitions
   where state not in (${FINAL_STATES.map(() => '?').join(', ')})
   group by state`;

export function createPipeline(db: Db) {
  return {
    /** Counts per state and median time spent per state; `now` closes the visits still open. */
    async stats(now: Date = new Date()): Promise<PipelineStats> {
      const [countRows, stageRows] = await Promise.all([
        db('reviews').groupBy('state').select('state').count<{ state: string; count: string | number }[]>('* as count'),
        db.raw(STAGES_SQL, [now.toISOString(), ...FINAL_STATES]) as Promise<{
          rows: { state: string; samples: number | string; median_days: number | string | null }[];
        }>,
      ]);
      const counts = new Map(countRows.map((r) => [r.state, Number(r.count)]));
      const stages = new Map(stageRows.rows.map((r) => [r.state, r]));
      return {
        counts: STATES.map((state) => ({ state, label: capitalised(state), count: counts.get(state) ?? 0 })),
        stages: STATES.filter((state) => !FINAL_STATES.includes(state)).map((state) => {
          const row = stages.get(state);
          return {
            state,
            label: capitalised(state),
            medianDays: row && row.median_days !== null ? Number(row.median_days) : null,
            samples: row ? Number(row.samples) : 0,
          };
        }),
      };
    },
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
