/** Where one agency stands on one recommendation. */
export type AgencyStatus = 'awaiting_response' | 'not_accepted' | 'in_progress' | 'implemented';

/** Decides where an agency stands on a recommendation from its response and when (if ever) it marked it implemented. */
export function agencyStatus(response: string | null, implementedAt: Date | string | null): AgencyStatus {
  if (!response) return 'awaiting_response';
  if (response === 'not_accepted') return 'not_accepted';
  return implementedAt ? 'implemented' : 'in_progress';
}
