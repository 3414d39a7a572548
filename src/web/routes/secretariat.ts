import type express from 'express';
import type { WebContext } from '../context';
import { adminRoutes } from './secretariat/admin';
import { dashboardRoutes } from './secretariat/dashboard';
import { mailRoutes } from './secretariat/mail';
import { meetingRoutes } from './secretariat/meetings';
import { outcomeRoutes } from './secretariat/outcome';
import { reviewListRoutes } from './secretariat/reviewsList';
import { targetRoutes } from './secretariat/targets';
import { templateRoutes } from './secretariat/templates';

/**
 * Pages of the panel secretariat and panel members (and the PCC's list of reviews).
 * Each module checks who may see it; the services check again, so a page that
 * forgot would still be refused.
 */
export function secretariatRoutes(router: express.Router, ctx: WebContext) {
  dashboardRoutes(router, ctx);
  reviewListRoutes(router, ctx);
  meetingRoutes(router, ctx);
  outcomeRoutes(router, ctx);
  mailRoutes(router, ctx);
  adminRoutes(router, ctx);
  templateRoutes(router, ctx);
  targetRoutes(router, ctx);
}
