/** How pages, the CSV and reports name a response, an agency's status and an action's status. */
export const RESPONSE_LABELS: Record<string, string> = {
  accepted: 'Accepted',
  partially_accepted: 'Partially accepted',
  not_accepted: 'Not accepted',
};

export const STATUS_LABELS: Record<string, string> = {
  awaiting_response: 'Awaiting response',
  not_accepted: 'Not accepted',
  in_progress: 'In progress',
  implemented: 'Implemented',
};

export const ACTION_LABELS: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
};
