import type { Request } from 'express';
import type { User } from '../../../services/accounts';
import { ForbiddenError } from '../../../services/errors';
import type { PageError } from '../../forms';

/** The signed-in user, refused (403) unless their role is one of `roles`. */
export function userWithRole(req: Request, roles: readonly User['role'][], message: string): User {
  const user = req.user!;
  if (!roles.includes(user.role)) throw new ForbiddenError(message);
  return user;
}

/**
 * GOV.UK error messages say what to do ("Enter a pseudonym"); the services say what
 * is wrong. Where a field has a better sentence for a kind of problem, use it.
 */
export function friendlier(errors: PageError[], better: Record<string, Record<string, string>>): PageError[] {
  return errors.map((e) => {
    const rules = better[e.field] ?? {};
    const hit = Object.keys(rules).find((ending) => e.message.endsWith(ending));
    return hit ? { ...e, message: rules[hit]! } : e;
  });
}
