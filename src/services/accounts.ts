import { z } from 'zod';
import type { Db } from '../db/connect';
import type { Role } from '../workflow/types';
import type { Clock } from './clock';
import { ConflictError, ForbiddenError, TooManyRequestsError, UnauthorizedError, ValidationError } from './errors';
import { decoyHash, hashPassword, hashToken, newToken, verifyPassword } from './passwords';
import { email, id, parse, password, role, text } from './validation';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  cspId: number | null;
  policeForceAreaId: number | null;
  organisationId: number | null;
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  csp_id: number | null;
  police_force_area_id: number | null;
  organisation_id: number | null;
  password_hash: string;
  disabled_at: Date | string | null;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  cspId: row.csp_id,
  policeForceAreaId: row.police_force_area_id,
  organisationId: row.organisation_id ?? null,
});

export const newUserSchema = z.strictObject({
  email,
  name: text(200),
  role,
  cspId: id.optional().nullable(),
  policeForceAreaId: id.optional().nullable(),
  organisationId: id.optional().nullable(),
  password,
});
export type NewUser = z.infer<typeof newUserSchema>;

const signInSchema = z.strictObject({
  email: z.string({ error: 'must be text' }).max(254),
  password: z.string({ error: 'must be text' }).max(200),
});

const BAD_CREDENTIALS = 'The email address or password is not right';

/**
 * Guessing is slowed to a crawl: after this many failures for one email, or from one
 * client address (whatever emails it tried), wait until the oldest counted failure
 * leaves the window. The counts live in the database, so they hold across instances.
 */
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
export const FAILURE_WINDOW_MS = 15 * 60_000;

/** Where a sign-in comes from: the client's address as Express sees it (see TRUST_PROXY). */
export interface SignInClient {
  address?: string;
}

export function createAccounts(db: Db, clock: Clock, options: { sessionTtlHours: number }) {
  async function findByEmail(address: string): Promise<UserRow | undefined> {
    return db<UserRow>('users').whereRaw('lower(email) = lower(?)', [address.trim()]).first();
  }

  /** Seconds to wait when `value` has `max` failures within the window, otherwise 0. */
  async function lockedFor(column: 'email' | 'address', value: string, max: number): Promise<number> {
    const now = clock.now().getTime();
    const recent = await db('sign_in_failures')
      .where(column, value)
      .where('at', '>', new Date(now - FAILURE_WINDOW_MS))
      .orderBy('at', 'desc')
      .limit(max)
      .pluck('at');
    if (recent.length < max) return 0;
    // The count drops below the limit when the max-th most recent failure leaves the window.
    const until = new Date(recent[max - 1]).getTime() + FAILURE_WINDOW_MS;
    return Math.max(Math.ceil((until - now) / 1000), 1);
  }

  const tooMany = (from: string, wait: number) =>
    new TooManyRequestsError(`Too many failed sign-ins ${from}. Try again in ${Math.ceil(wait / 60)} minutes.`, wait);

  return {
    async createUser(input: unknown): Promise<User> {
      const data = parse(newUserSchema, input);
      const { role: r } = data;
      if (r === 'csp' && !data.cspId) throw ValidationError.field('cspId', 'is required for a CSP user');
      if (r === 'pcc' && !data.policeForceAreaId) {
        throw ValidationError.field('policeForceAreaId', 'is required for a PCC user');
      }
      if (r !== 'csp' && data.cspId) throw ValidationError.field('cspId', 'is only for CSP users');
      if (r !== 'pcc' && data.policeForceAreaId) {
        throw ValidationError.field('policeForceAreaId', 'is only for PCC users');
      }
      if (r === 'agency' && !data.organisationId) {
        throw ValidationError.field('organisationId', 'is required for an agency user');
      }
      if (r !== 'agency' && data.organisationId) {
        throw ValidationError.field('organisationId', 'is only for agency users');
      }
      if (data.organisationId && !(await db('organisations').where({ id: data.organisationId }).first())) {
        throw ValidationError.field('organisationId', 'no organisation has this id');
      }
      if (data.cspId && !(await db('csps').where({ id: data.cspId }).first())) {
        throw ValidationError.field('cspId', 'no CSP has this id');
      }
      if (data.policeForceAreaId && !(await db('police_force_areas').where({ id: data.policeForceAreaId }).first())) {
        throw ValidationError.field('policeForceAreaId', 'no police force area has this id');
      }
      if (await findByEmail(data.email)) throw new ConflictError(`A user with the email ${data.email} already exists`);
      const [row] = await db<UserRow>('users')
        .insert({
          email: data.email,
          name: data.name,
          role: r,
          csp_id: data.cspId ?? null,
          police_force_area_id: data.policeForceAreaId ?? null,
          organisation_id: data.organisationId ?? null,
          password_hash: await hashPassword(data.password),
        })
        .returning('*');
      return toUser(row!);
    },

    /** Adding users through the API is the secretariat's job; the command line calls createUser directly. */
    async createUserAs(actor: User, input: unknown): Promise<User> {
      if (actor.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can add users');
      return this.createUser(input);
    },

    async listUsers(actor: User): Promise<User[]> {
      if (actor.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can list users');
      return (await db<UserRow>('users').orderBy('id')).map(toUser);
    },

    /**
     * Checks email and password. An unknown email, a wrong password and an account that
     * cannot sign in all get the same error after the same work: one scrypt check
     * (against a decoy hash when there is no account), so neither the answer nor its
     * timing tells which emails have accounts.
     */
    async verifyCredentials(input: unknown, client: SignInClient = {}): Promise<User> {
      const creds = parse(signInSchema, input);
      const email = creds.email.trim().toLowerCase();
      const address = client.address || null;
      // The attempt is written down as a failure before it is checked, so attempts made at the
      // same moment count against one another: guesses sent in parallel get no more tries than
      // guesses sent one by one. The limits below therefore count this attempt too (max + 1).
      const [attempt] = await db('sign_in_failures').insert({ email, address, at: clock.now() }).returning('id');
      const refuse = async (from: string, wait: number) => {
        await db('sign_in_failures').where({ id: attempt.id }).delete();
        return tooMany(from, wait);
      };
      if (address) {
        const wait = await lockedFor('address', address, MAX_FAILURES_PER_ADDRESS + 1);
        if (wait) throw await refuse('from this network address', wait);
      }
      const wait = await lockedFor('email', email, MAX_FAILURES_PER_EMAIL + 1);
      if (wait) throw await refuse('for this email address', wait);
      const row = await findByEmail(email);
      const ok = await verifyPassword(creds.password, row?.password_hash ?? (await decoyHash));
      // A disabled account is barred here, after the same password check, with the same answer.
      if (!row || !ok || row.disabled_at) {
        // The attempt's row stays: it is the failure.
        await db('sign_in_failures')
          .where('at', '<', new Date(clock.now().getTime() - 24 * 3600_000))
          .delete();
        throw new UnauthorizedError(BAD_CREDENTIALS);
      }
      // The email's failures go, this attempt's row with them; the address's others are left alone:
      // signing in to one's own account must not reset guessing at others.
      await db('sign_in_failures').where('email', email).delete();
      await db('users').where({ id: row.id }).update({ last_sign_in_at: clock.now() });
      return toUser(row);
    },

    async signIn(input: unknown, client: SignInClient = {}): Promise<{ token: string; user: User }> {
      const user = await this.verifyCredentials(input, client);
      const expires = new Date(clock.now().getTime() + options.sessionTtlHours * 3600_000);
      const token = await this.issueToken(user.id, 'sign-in', expires);
      return { token, user };
    },

    /** Issues a bearer token; only its hash is stored. `expiresAt` null means until revoked. */
    async issueToken(userId: number, label: string, expiresAt: Date | null): Promise<string> {
      const token = newToken();
      await db('api_tokens').insert({
        user_id: userId,
        token_hash: hashToken(token),
        label,
        created_at: clock.now(),
        expires_at: expiresAt,
      });
      return token;
    },

    async revokeToken(token: string): Promise<void> {
      await db('api_tokens')
        .where({ token_hash: hashToken(token) })
        .update({ revoked_at: clock.now() });
    },

    async authenticate(token: string): Promise<User | null> {
      const row = await db('api_tokens as t')
        .join('users as u', 'u.id', 't.user_id')
        .where('t.token_hash', hashToken(token))
        .whereNull('t.revoked_at')
        .whereNull('u.disabled_at')
        .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', clock.now()))
        .select<UserRow>('u.*')
        .first();
      return row ? toUser(row) : null;
    },

    async findUserByEmail(address: string): Promise<User | null> {
      const row = await findByEmail(address);
      return row ? toUser(row) : null;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
