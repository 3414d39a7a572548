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
  // Oversight reads what has been made public, in every CSP: never a report still in the process.
  if (user.role === 'commissioner') q.whereIn('r.state', PUBLISHED_STATES);
  return q;
}

/** The states of a review whose final report has been published. */
export const PUBLISHED_STATES = ['published', 'closed'] as const;

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

/** Those who read the national figures: the Home Office, and oversight (the commissioner role). */
export const NATIONAL_READERS = ['secretariat', 'panel', 'commissioner'] as const satisfies readonly User['role'][];
export const readsNational = (user: User) => (NATIONAL_READERS as readonly string[]).includes(user.role);
