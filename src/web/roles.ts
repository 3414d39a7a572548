import type { Request } from 'express';
import type { User } from '../core/user';
import { ForbiddenError } from '../core/errors';

/** Decides whether the signed-in user's role may use a page at all: the user, or 403 before anything is read. */
export function allowRoles(req: Request, roles: readonly User['role'][], message: string): User {
  const user = req.user!;
  if (!roles.includes(user.role)) throw new ForbiddenError(message);
  return user;
}
