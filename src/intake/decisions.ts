import { toIsoDate } from '../core/clock';
import type { LetterFacts } from '../letters/compose';
import type { PanelView } from '../workflow/types';

/**
 * What the panel's letter on a decision not to hold a review says beyond its template: the day
 * the CSP decided, the meeting that considered it, whether the panel agrees, and its comments.
 * The same for the preview the secretariat reads and the letter the SEND_LETTER effect sends.
 * (The decision and the view are lifecycle events: RECORD_DECISION and RECORD_PANEL_VIEW.)
 */
export function decisionLetter(review: {
  decidedAt: Date | string | null;
  meetingDate: string | null | undefined;
  view: PanelView;
  comments: string | null;
}): { facts: Partial<LetterFacts>; comments: string } {
  return {
    facts: {
      meetingDate: review.meetingDate ?? undefined,
      decidedOn: review.decidedAt ? toIsoDate(new Date(review.decidedAt)) : undefined,
      agrees: review.view === 'agree',
    },
    comments: review.comments ?? '',
  };
}
