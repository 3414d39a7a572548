/** Where one agency stands on one recommendation. */
export type AgencyStatus = 'awaiting_response' | 'not_accepted' | 'in_progress' | 'implemented';

/** Decides where an agency stands on a recommendation from its response and whether it marked it implemented. */
export function agencyStatus(response: string | null, implemented: boolean): AgencyStatus {
  if (!response) return 'awaiting_response';
  if (response === 'not_accepted') return 'not_accepted';
  return implemented ? 'implemented' : 'in_progress';
}
