import type { Request } from 'express';
import { NotFoundError } from './services/errors';

/** Route ids are positive integers; anything else names nothing (404), for the API and the pages alike. */
export function idParam(req: Request, name = 'id'): number {
  const raw = req.params[name];
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) <= 0) throw new NotFoundError();
  return Number(raw);
}
