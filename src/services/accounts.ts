import { z } from 'zod';
import type { Db } from '../db/connect';
import type { Role } from '../workflow/types';
import type { User } from '../core/user';
import type { Clock } from '../core/clock';
import {
  ConflictError,
  ForbiddenError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '../core/errors';
import { verifySync } from 'otplib';
import { decoyHash, hashPassword, hashToken, newToken, verifyPassword } from './passwords';
import { email, id, parse, password, role, text } from '../core/validation';
import { VERSIONS_SQL } from '../db/cacheVersions';

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  csp_id: number | null;
  police_force_area_id: number | null;
  organisation_id: number | null;
  password_hash: string;
  disabled_at: Date | null;
  totp_secret: string | null;
  totp_last_step: number | string | null;
  recovery_codes: string[] | null;
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
const BAD_CODE = 'The code is not right, or was used already';
const NEED_CODE = 'Send "code": the 6-digit code from your authenticator app, or one of your recovery codes';
/** A code from the step before or after the current one is accepted: phones' clocks drift. */
const CODE_TOLERANCE_SECONDS = 30;

const changePasswordSchema = z.strictObject({
  current: z.string({ error: 'must be text' }).min(1, { error: 'is needed' }).max(200),
  password,
});

const codeSchema = z.strictObject({
  code: z.string({ error: 'must be the code from your authenticator app, or a recovery code' }).max(40),
});

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

export function createAccounts(db: Db, clock: Clock, options: { sessionTtlHours: number; twoFactorRequired: boolean }) {
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

  /**
   * Runs a sign-in check under the failure limits. The attempt is written down as a failure
   * before it is checked, so attempts made at the same moment count against one another:
   * guesses sent in parallel get no more tries than guesses sent one by one (the limits
   * therefore count this attempt too, max + 1). On success the email's failures go, this
   * attempt's with them; the address's others stay: signing in to one's own account must
   * not reset guessing at others. A right password with a code still owed is not yet a
   * success (`complete` says so): only this attempt goes, so wrong codes keep counting.
   */
  async function guarded(
    email: string,
    client: SignInClient,
    check: () => Promise<UserRow | null>,
    complete: (row: UserRow) => Promise<boolean> = async () => true,
  ): Promise<UserRow | null> {
    const address = client.address || null;
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
    const row = await check();
    if (!row) {
      // The attempt's row stays: it is the failure.
      await db('sign_in_failures')
        .where('at', '<', new Date(clock.now().getTime() - 24 * 3600_000))
        .delete();
      return null;
    }
    if (await complete(row)) await db('sign_in_failures').where('email', email).delete();
    else await db('sign_in_failures').where({ id: attempt.id }).delete();
    return row;
  }

  /**
   * What a user who has given the right password must do before they are signed in:
   * nothing, give the code from their authenticator app ('code'), or set one up first
   * ('set-up': the secretariat and the panel must (TWO_FACTOR_REQUIRED), and everyone when
   * the settings say so). The user's row and the setting are read together, and afresh: a
   * sign-in is never let through on a copy of the settings.
   */
  async function secondFactorOf(user: User): Promise<'none' | 'code' | 'set-up'> {
    const row = await db('users')
      .where({ id: user.id })
      .first('totp_enabled_at', db('settings').where({ key: 'twoFactorForEveryone' }).select('value').as('everyone'));
    if (row?.totp_enabled_at) return 'code';
    // Those who read across every CSP always use a second factor.
    if (options.twoFactorRequired && ['secretariat', 'panel', 'commissioner'].includes(user.role)) return 'set-up';
    return row?.everyone === true ? 'set-up' : 'none';
  }

  const tooMany = (from: string, wait: number) =>
    new TooManyRequestsError(`Too many failed sign-ins ${from}. Try again in ${Math.ceil(wait / 60)} minutes.`, wait);

  return {
    /** Whether the secretariat and the panel must use two-factor sign-in on this server. */
    staffNeedTwoFactor: options.twoFactorRequired,

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
      const row = await guarded(
        email,
        client,
        async () => {
          const found = await findByEmail(email);
          const ok = await verifyPassword(creds.password, found?.password_hash ?? (await decoyHash));
          // A disabled account is barred here, after the same password check, with the same answer.
          return found && ok && !found.disabled_at ? found : null;
        },
        async (found) => (await secondFactorOf(toUser(found))) === 'none',
      );
      if (!row) throw new UnauthorizedError(BAD_CREDENTIALS);
      return toUser(row);
    },

    secondFactor: secondFactorOf,

    /**
     * Checks the code from the user's authenticator app, or one of their recovery codes (each
     * works once), with the same limits as passwords: failures count against the email and
     * the client's address together with wrong passwords. A code is never accepted twice.
     */
    async verifySecondFactor(userId: number, input: unknown, client: SignInClient = {}): Promise<User> {
      const { code } = parse(codeSchema, input);
      const user = await db<UserRow>('users').where({ id: userId }).first();
      if (!user?.totp_secret) throw new UnauthorizedError(BAD_CODE);
      const typed = code.replace(/[\s-]/g, '');
      const row = await guarded(user.email.toLowerCase(), client, async () => {
        const fresh = (await db<UserRow>('users').where({ id: userId }).first())!;
        if (fresh.disabled_at || !fresh.totp_secret) return null;
        // Each update below is conditional, so two requests with the same code at once cannot both pass.
        if (/^\d{6}$/.test(typed)) {
          const epoch = Math.floor(clock.now().getTime() / 1000);
          const result = verifySync({
            secret: fresh.totp_secret,
            token: typed,
            epoch,
            epochTolerance: CODE_TOLERANCE_SECONDS,
            // otplib refuses a last step ahead of the clock (a server whose clock went back): none is accepted.
            afterTimeStep:
              fresh.totp_last_step === null
                ? undefined
                : Math.min(Number(fresh.totp_last_step), Math.floor(epoch / 30) + 1),
          });
          if (!result.valid) return null;
          const step = (result as { timeStep: number }).timeStep;
          const claimed = await db('users')
            .where({ id: userId })
            .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
            .update({ totp_last_step: step });
          return claimed ? fresh : null;
        }
        const used = hashToken(typed.toLowerCase());
        const claimed = await db('users')
          .where({ id: userId })
          .whereRaw('recovery_codes @> ?::jsonb', [JSON.stringify([used])])
          .update({ recovery_codes: db.raw('recovery_codes - ?', [used]) });
        if (!claimed) return null;
        await db('account_events').insert({
          user_id: userId,
          type: 'RECOVERY_CODE_USED',
          actor_id: userId,
          at: clock.now(),
        });
        return fresh;
      });
      if (!row) throw new UnauthorizedError(BAD_CODE);
      return toUser(row);
    },

    /** Signs in through the API: the password, and the code when the user has two-factor sign-in. */
    async signIn(input: unknown, client: SignInClient = {}): Promise<{ token: string; user: User }> {
      const { code, ...credentials } = (typeof input === 'object' && input ? input : {}) as { code?: unknown };
      const user = await this.verifyCredentials(credentials, client);
      const second = await this.secondFactor(user);
      if (second === 'set-up') {
        throw new ForbiddenError('Set up two-factor sign-in first: sign in to the service in a browser to do it');
      }
      if (second === 'code') {
        if (code === undefined) throw new UnauthorizedError(NEED_CODE);
        await this.verifySecondFactor(user.id, { code }, client);
      }
      await this.signedIn(user.id);
      const expires = new Date(clock.now().getTime() + options.sessionTtlHours * 3600_000);
      const token = await this.issueToken(user.id, 'sign-in', expires);
      return { token, user };
    },

    /**
     * A signed-in user changes their own password, giving the current one first (a wrong one
     * counts as a failed sign-in, with the same limits). Every browser session of theirs ends;
     * the caller starts a fresh one for the browser that asked. API tokens are left alone.
     */
    async changePassword(userId: number, input: unknown, client: SignInClient = {}): Promise<void> {
      const data = parse(changePasswordSchema, input);
      const user = await db<UserRow>('users').where({ id: userId }).first();
      if (!user) throw new UnauthorizedError();
      const hash = await hashPassword(data.password);
      const row = await guarded(user.email.toLowerCase(), client, async () =>
        !user.disabled_at && (await verifyPassword(data.current, user.password_hash)) ? user : null,
      );
      if (!row) throw ValidationError.field('current', 'is incorrect');
      const now = clock.now();
      await db.transaction(async (trx) => {
        await trx('users').where({ id: userId }).update({ password_hash: hash });
        await trx('web_sessions').where({ user_id: userId }).delete();
        await trx('account_events').insert({ user_id: userId, type: 'PASSWORD_CHANGED', actor_id: userId, at: now });
      });
    },

    /** Records a sign-in that is complete (password, and code where there is one): its email's failures go. */
    async signedIn(userId: number): Promise<void> {
      const [row] = await db('users').where({ id: userId }).update({ last_sign_in_at: clock.now() }).returning('email');
      if (row) await db('sign_in_failures').where('email', String(row.email).toLowerCase()).delete();
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
      return (await this.tokenHolder(token))?.user ?? null;
    },

    /**
     * The user a bearer token signs in, with the versions of the process's caches read in the
     * same statement (see src/db/cacheVersions.ts): the API's one round trip before its work.
     */
    async tokenHolder(token: string): Promise<{ user: User; cacheVersions: unknown } | null> {
      const row = await db('api_tokens as t')
        .join('users as u', 'u.id', 't.user_id')
        .where('t.token_hash', hashToken(token))
        .whereNull('t.revoked_at')
        .whereNull('u.disabled_at')
        .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', clock.now()))
        .select<UserRow & { cache_versions: unknown }>('u.*', db.raw(`${VERSIONS_SQL} as cache_versions`))
        .first();
      return row ? { user: toUser(row), cacheVersions: row.cache_versions } : null;
    },

    async findUserByEmail(address: string): Promise<User | null> {
      const row = await findByEmail(address);
      return row ? toUser(row) : null;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
