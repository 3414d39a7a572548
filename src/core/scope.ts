import type { Knex } from 'knex';
import type { Conn } from '../db/connect';
import type { User } from './user';

/**
 * Reviews (as `r`, with their CSP as `c`) that a user may see: all for the Home
 * Office, its own for a CSP user, its force area's for a PCC. Everything that
 * hangs off a review is reached through this query, so scope lives in one place.
 */
export function visibleReviews(conn: Conn, user: User): Knex.QueryBuilder {
  const q = conn('reviews as r').join('csps as c', 'c.id', 'r.csp_id');
  if (user.role === 'csp') q.where('r.csp_id', user.cspId);
  if (user.role === 'pcc') q.where('c.police_force_area_id', user.policeForceAreaId);
  // Agencies see the recommendations addressed to them, never the reviews themselves.
  if (user.role === 'agency') q.whereRaw('false');
  return q;
}

/**
 * The CSPs (as `c`) a user may see, with the same rule as their reviews: all for the Home
 * Office, its own for a CSP user, its force area's for a PCC, none for an agency (whose
 * users work on recommendations and have no business with CSPs' contacts and addresses).
 */
export function scopeCsps(q: Knex.QueryBuilder, user: User): Knex.QueryBuilder {
  if (user.role === 'csp') q.where('c.id', user.cspId);
  if (user.role === 'pcc') q.where('c.police_force_area_id', user.policeForceAreaId);
  if (user.role === 'agency') q.whereRaw('false');
  return q;
}

/** The Home Office side: the secretariat and panel members. */
export const isHomeOffice = (user: User) => user.role === 'secretariat' || user.role === 'panel';
