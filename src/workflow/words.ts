/**
 * One set of words for a revision item's status on every page (the CSP's task list, the
 * review page the secretariat checks from) and in the API beside the code, so that
 * "Answered" means the same to everyone.
 */
export const ITEM_STATUS = {
  open: 'To do',
  addressed: 'Answered',
  accepted: 'Accepted',
  returned: 'Returned',
} as const;
