import type express from 'express';
import type { WebContext } from '../index';

/** Pages of CSP users (and the PCC's read-only list). */
export function cspRoutes(_router: express.Router, _ctx: WebContext) {}
