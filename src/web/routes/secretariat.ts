import type express from 'express';
import type { WebContext } from '../index';

/** Pages of the panel secretariat and panel members. */
export function secretariatRoutes(_router: express.Router, _ctx: WebContext) {}
