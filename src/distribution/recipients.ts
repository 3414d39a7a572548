import { isoFromJson } from '../core/clock';

/**
 * Who must receive a review's final report once it is approved, as the statutory guidance and
 * the panel's letters ask: each is recorded with the day it went and its evidence.
 */
export const RECIPIENTS = ['home_office', 'commissioner', 'pcc', 'family', 'library'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

export const RECIPIENT_NAMES: Record<Recipient, { name: string; what: string }> = {
  home_office: { name: 'The Home Office', what: 'a digital copy of the final report and the weblink' },
  commissioner: { name: 'The Domestic Abuse Commissioner', what: 'a copy of the final report' },
  pcc: { name: 'The Police and Crime Commissioner', what: 'a copy of the final report' },
  family: { name: 'The family', what: 'the final copy, on the day they were given it' },
  library: { name: 'The DHR Library', what: 'the listing of the published report' },
};

/** Those an email can go to from the service, with the weblink: the rest are recorded with a note. */
export const EMAILABLE: readonly Recipient[] = ['home_office', 'commissioner', 'pcc'];

/** Why the review cannot be closed yet, naming who is still to be recorded; null when no one is. */
export function undistributedOf(recorded: readonly string[]): string | null {
  const missing = RECIPIENTS.filter((r) => !recorded.includes(r));
  if (missing.length === 0) return null;
  const names = missing.map((r) => RECIPIENT_NAMES[r].name.replace(/^The /, 'the '));
  return `the final report has not yet been recorded as reaching ${names.join(', ')} (see Distribution of the final report)`;
}

/** An entry as the review's read model reads it. */
export interface DistributionRow {
  id: number;
  recipient: Recipient;
  sent_on: string;
  how: 'email' | 'note';
  note: string | null;
  recorded_at: string;
  outbox_id: number | null;
  mailed_to: string[] | null;
  recorded_by: string | null;
}

/** A recipient's line of the list: the newest entry recorded for it, if any. */
export interface DistributionLine {
  recipient: Recipient;
  name: string;
  what: string;
  entry: {
    sentOn: string;
    how: 'email' | 'note';
    note: string | null;
    mailId: number | null;
    /** Who the email went to, in one line. */
    mailedTo: string;
    recordedBy: string | null;
    recordedAt: string;
  } | null;
}

/** States in which the list is kept: from approval on. */
export const DISTRIBUTION_STATES: readonly string[] = ['approved', 'published', 'closed'];

/** The list as a review shows it (null before approval): each recipient's newest entry, and whether all are in. */
export function distributionOf(
  state: string,
  rows: readonly DistributionRow[],
): { lines: DistributionLine[]; complete: boolean } | null {
  if (!DISTRIBUTION_STATES.includes(state) && rows.length === 0) return null;
  const lines = RECIPIENTS.map((recipient) => {
    const newest = rows.filter((r) => r.recipient === recipient).at(-1);
    return {
      recipient,
      ...RECIPIENT_NAMES[recipient],
      entry: newest
        ? {
            sentOn: newest.sent_on,
            how: newest.how,
            note: newest.note,
            mailId: newest.outbox_id,
            mailedTo: (newest.mailed_to ?? []).join(', '),
            recordedBy: newest.recorded_by,
            recordedAt: isoFromJson(newest.recorded_at)!,
          }
        : null,
    };
  });
  return { lines, complete: lines.every((l) => l.entry !== null) };
}
