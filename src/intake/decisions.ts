import type { Db } from '../db/connect';
import { toIsoDate } from '../core/clock';
import type { User } from '../core/user';
import { ConflictError, NotFoundError } from '../core/errors';
import { isHomeOffice, visibleReviews } from '../core/scope';
import type { Letters } from '../services/letters';

/**
 * A CSP's decision not to hold a review goes to the QA panel, which answers it by letter. The
 * decision and the panel's view are lifecycle events (RECORD_DECISION, RECORD_PANEL_VIEW,
 * SEND_LETTER: see the machine); this reads what the letter will say before it goes.
 */
export function createDecisions(db: Db, letters: Letters) {
  return {
    /** The panel's letter on the decision as it would go now, for the Home Office to read before sending it. */
    async letterPreview(user: User, reviewId: number) {
      const review = await visibleReviews(db, user)
        .where('r.id', reviewId)
        .leftJoin('panel_meetings as m', 'm.id', 'r.panel_view_meeting_id')
        .first('r.id', 'r.state', 'r.decided_at', 'r.panel_view', 'r.panel_view_comments', 'm.date as meeting_date');
      if (!review || !isHomeOffice(user)) throw new NotFoundError('No review with this id');
      if (review.state !== 'decision_letter_pending' || !review.panel_view)
        throw new ConflictError(
          "No letter on a decision waits to be sent for this review: record the panel's view first",
        );
      const comments = (review.panel_view_comments as string | null) ?? '';
      const preview = await letters.preview(db, 'review_decision', reviewId, {
        facts: {
          meetingDate: review.meeting_date ?? undefined,
          decidedOn: review.decided_at ? toIsoDate(review.decided_at as Date) : undefined,
          agrees: review.panel_view === 'agree',
        },
        comments,
      });
      return { ...preview, view: review.panel_view as 'agree' | 'disagree', comments };
    },
  };
}

export type Decisions = ReturnType<typeof createDecisions>;
