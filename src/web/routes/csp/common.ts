import type { Request } from 'express';
import type { User } from '../../../core/user';
import { ForbiddenError } from '../../../core/errors';
import type { PageError } from '../../forms';

/** The signed-in user, refused (403) unless their role is one of `roles`. */
export function userWithRole(req: Request, roles: readonly User['role'][], message: string): User {
  const user = req.user!;
  if (!roles.includes(user.role)) throw new ForbiddenError(message);
  return user;
}

/**
 * GOV.UK error messages say what to do ("Enter a pseudonym"); the services say what
 * is wrong. Where a field has a better sentence than pageErrors makes for a kind of
 * problem, use it: the rules match the end of what the service said.
 */
export function friendlier(errors: PageError[], better: Record<string, Record<string, string>>): PageError[] {
  return errors.map((e) => {
    const rules = better[e.field] ?? {};
    const said = e.said ?? e.message;
    const hit = Object.keys(rules).find((ending) => said.endsWith(ending));
    return hit ? { ...e, message: rules[hit]! } : e;
  });
}
