/** How pages, the CSV and reports name a response, a level and an action's status. */
export const RESPONSE_LABELS: Record<string, string> = {
  accepted: 'Accepted',
  partially_accepted: 'Partially accepted',
  already_in_place: 'Already in place',
  not_accepted: 'Not accepted',
};

export const ACTION_LABELS: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
};

export const LEVEL_LABELS: Record<string, string> = {
  local: 'Local',
  regional: 'Regional',
  national: 'National',
};
