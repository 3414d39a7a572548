import type { Conn } from '../db/connect';
import type { Outcome, ReviewContext } from '../workflow/types';
import type { User } from '../core/user';
import { toIso } from '../core/clock';
import { visibleReviews } from '../core/scope';

export interface ReviewProgress {
  /** The panel meeting the review is (or was last) scheduled for. */
  meeting: { date: string } | null;
  pausedFrom: ReviewContext['pausedFrom'];
  publication: ReviewContext['publication'];
  /** The current round, when the panel has assessed the review. */
  round: {
    number: number;
    outcome: Outcome;
    letterSentAt: string | null;
    items: number;
    /** Items still to answer: open or returned. */
    toDo: number;
    returned: number;
    /** A revised report was attached after the round's letter (what resubmission needs). */
    revisedReportSinceLetter: boolean;
  } | null;
}

/**
 * Where each of some reviews stands, in one query: its meeting, its current round's
 * outcome and letter, how many of the round's items are still to answer, and its
 * publication. Only reviews in the user's scope are answered; others are left out.
 */
export async function reviewProgress(
  conn: Conn,
  user: User,
  reviewIds: number[],
): Promise<Map<number, ReviewProgress>> {
  if (reviewIds.length === 0) return new Map();
  const rows = await visibleReviews(conn, user)
    .leftJoin('panel_meetings as m', 'm.id', 'r.meeting_id')
    .leftJoin('rounds as ro', function () {
      this.on('ro.review_id', '=', 'r.id').andOn('ro.number', '=', conn.raw("(r.context->>'round')::integer"));
    })
    .leftJoin('revision_items as i', 'i.round_id', 'ro.id')
    .whereIn('r.id', reviewIds)
    .groupBy('r.id', 'm.id', 'ro.id')
    .select(
      'r.id',
      'r.context',
      'm.date as meeting_date',
      'ro.number as round',
      'ro.outcome',
      'ro.letter_sent_at',
      conn.raw('count(i.id)::integer as items'),
      conn.raw("count(i.id) filter (where i.status in ('open', 'returned'))::integer as to_do"),
      conn.raw("count(i.id) filter (where i.status = 'returned')::integer as returned"),
      conn.raw(
        `exists (select 1 from documents d where d.review_id = r.id and d.removed_at is null and d.kind = 'revised_report'
           and d.uploaded_at > ro.letter_sent_at) as revised_report`,
      ),
    );
  return new Map(
    rows.map((row): [number, ReviewProgress] => {
      const context = (typeof row.context === 'string' ? JSON.parse(row.context) : row.context) as ReviewContext;
      return [
        row.id as number,
        {
          meeting: row.meeting_date ? { date: row.meeting_date as string } : null,
          pausedFrom: context.pausedFrom,
          publication: context.publication,
          round:
            row.round === null
              ? null
              : {
                  number: Number(row.round),
                  outcome: row.outcome as Outcome,
                  letterSentAt: toIso(row.letter_sent_at),
                  items: Number(row.items),
                  toDo: Number(row.to_do),
                  returned: Number(row.returned),
                  revisedReportSinceLetter: Boolean(row.revised_report),
                },
        },
      ];
    }),
  );
}
