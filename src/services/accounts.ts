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

/** Guessing is slowed to a crawl: after this many failures for one email, wait out the window. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;

export function createAccounts(db: Db, clock: Clock, options: { sessionTtlHours: number }) {
  async function findByEmail(address: string): Promise<UserRow | undefined> {
    return db<UserRow>('users').whereRaw('lower(email) = lower(?)', [address.trim()]).first();
  }

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

    /** Checks email and password; the same answer whether the email is unknown or the password wrong. */
    async verifyCredentials(input: unknown): Promise<User> {
      const creds = parse(signInSchema, input);
      const email = creds.email.trim().toLowerCase();
      const since = new Date(clock.now().getTime() - FAILURE_WINDOW_MS);
      const recent = await db('sign_in_failures')
        .where('email', email)
        .where('at', '>', since)
        .orderBy('at')
        .pluck('at');
      if (recent.length >= MAX_FAILURES) {
        const wait = Math.ceil((new Date(recent[0]).getTime() + FAILURE_WINDOW_MS - clock.now().getTime()) / 1000);
        throw new TooManyRequestsError(
          `Too many failed sign-ins for this email address. Try again in ${Math.ceil(wait / 60)} minutes.`,
          Math.max(wait, 1),
        );
      }
      const row = await findByEmail(email);
      const ok = await verifyPassword(creds.password, row?.password_hash ?? (await decoyHash));
      if (!row || !ok) {
        await db('sign_in_failures').insert({ email, at: clock.now() });
        await db('sign_in_failures')
          .where('at', '<', new Date(clock.now().getTime() - 24 * 3600_000))
          .delete();
        throw new UnauthorizedError(BAD_CREDENTIALS);
      }
      await db('sign_in_failures').where('email', email).delete();
      return toUser(row);
    },

    async signIn(input: unknown): Promise<{ token: string; user: User }> {
      const user = await this.verifyCredentials(input);
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
