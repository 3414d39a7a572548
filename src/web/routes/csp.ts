import type express from 'express';
import type { WebContext } from '../context';
import { cspLetterRoutes } from './csp/letters';
import { myReviewsRoutes } from './csp/myReviews';
import { notifyRoutes } from './csp/notify';
import { revisionRoutes } from './csp/revisions';

/** Pages of CSP users: their reviews, notifying one, answering revision items, their letters. */
export function cspRoutes(router: express.Router, ctx: WebContext) {
  myReviewsRoutes(router, ctx);
  notifyRoutes(router, ctx);
  revisionRoutes(router, ctx);
  cspLetterRoutes(router, ctx);
}
