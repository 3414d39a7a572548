import type { Knex } from 'knex';
import { isoFromJson } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import { visibleReviews } from '../../core/scope';
import type { User } from '../../core/user';
import type { DocumentKind, Facts, ItemStatus, ReviewContext, ReviewState } from '../../workflow/types';
import type { LetterRow, RecipientsRow, RoundContext } from '../letters';
import { undistributedOf } from '../../distribution/recipients';

export interface ReviewRow {
  id: number;
  reference: string;
  csp_id: number;
  csp_name: string;
  pseudonym: string;
  year_of_death: number | null;
  notified_on: string;
  state: ReviewState;
  context: ReviewContext;
  version: number;
  directed_by_secretary_of_state: boolean;
  early_learning: string;
  immediate_actions: string;
  decision: 'review' | 'no_review' | null;
  decision_reason: string | null;
  decided_at: Date | null;
  panel_view: 'agree' | 'disagree' | null;
  panel_view_comments: string | null;
  panel_view_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * What an event's one reading of its review (see the engine's loadForEvent) hands its effects,
 * so that they need not read it again: who its letters go to, the date of the meeting in its
 * context, its current round (with that round's draft letter) and its current documents.
 */
export interface EventReads {
  recipients: RecipientsRow;
  meetingDate: string | undefined;
  round: (RoundContext & { id: number; draft: LetterRow | null }) | null;
  documents: { id: number; kind: string; filename: string }[];
}

/** Why a letter could not reach its readers, in words that say what to put right; null when it can. */
function undeliverable(who: RecipientsRow): string | null {
  if (who.contacts.length === 0)
    return `${who.csp_name} has no contact to address letters to; add one to the CSP first`;
  if (!who.pcc_email) {
    return `the ${who.area} police force area has no PCC email address to copy the letter to; add it to the police force area first`;
  }
  return null;
}

/** What the machine's guards read: the review's documents, its current round's items, its meeting, its letters' readers. */
export function factsOf(read: {
  documents: { id: number; kind: string; uploaded_at: string }[];
  items: { id: number; status: ItemStatus }[];
  meetingHeld: boolean;
  /** Who its letters reach, as `RECIPIENTS_SQL` reads them. */
  recipients: RecipientsRow;
  /** Who its final report is recorded as reaching (see src/distribution). */
  distributed: readonly string[];
}): Facts {
  return {
    documents: read.documents.map((d) => ({
      id: d.id,
      kind: d.kind as DocumentKind,
      uploadedAt: isoFromJson(d.uploaded_at)!,
    })),
    items: read.items.map((i) => ({ id: i.id, status: i.status })),
    meetingHeld: read.meetingHeld,
    undeliverable: undeliverable(read.recipients),
    undistributed: undistributedOf(read.distributed),
  };
}

/** Reviews (`r`, with their CSP `c`) the user may see. */
export const reviewQuery = (conn: Knex | Knex.Transaction, user: User) =>
  visibleReviews(conn, user).select('r.*', 'c.name as csp_name');

export async function loadVisible(conn: Knex | Knex.Transaction, user: User, reviewId: number, lock = false) {
  const q = reviewQuery(conn, user).where('r.id', reviewId);
  if (lock) q.forUpdate('r');
  const row = (await q.first()) as ReviewRow | undefined;
  if (!row) throw new NotFoundError('No review with this id');
  return row;
}
