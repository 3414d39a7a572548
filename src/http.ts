import type { Request } from 'express';
import { NotFoundError } from './core/errors';

/**
 * Route ids are positive integers written plainly (no leading zero: /letters/01 is not
 * /letters/1) and within a database integer; anything else names nothing (404), for the
 * API and the pages alike.
 */
export function idParam(req: Request, name = 'id'): number {
  const raw = req.params[name];
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_ID) throw new NotFoundError();
  return Number(raw);
}

/** The largest id a PostgreSQL integer column holds. */
export const MAX_ID = 2_147_483_647;
