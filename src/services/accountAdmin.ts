import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import type { Outbox } from '../mail/outbox';
import type { User } from '../core/user';
import { toUser } from './accounts';
import { isoFromJson, toIso, type Clock } from '../core/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import type { HouseTemplates } from './houseTemplates';
import { hashPassword, hashToken, newToken } from './passwords';
import type { SettingsService } from './settings';
import { parse, password } from '../core/validation';

/** How long a link to set a new password works. */
export const RESET_HOURS = 24;

/** What a password reset leaves in place of the old password: not a hash, so nothing signs in with it. */
const NO_PASSWORD = 'reset';

const newPasswordSchema = z.strictObject({
  token: z.string({ error: 'must be the code from the link' }).max(200),
  password,
});

/** Someone with the server's command line: allowed what the secretariat is, recorded as no one in particular. */
export const OPERATOR = { operator: true } as const;
type Actor = User | typeof OPERATOR;
const actorId = (actor: Actor) => ('id' in actor ? actor.id : null);

export interface UserDetails extends User {
  disabled: boolean;
  disabledAt: string | null;
  twoFactor: boolean;
  lastSignInAt: string | null;
  activeTokens: number;
  activeSessions: number;
}

/**
 * The secretariat's hold on accounts: disable and re-enable one (a disabled user's sessions
 * end and tokens stop at once, and sign-in is refused as for a wrong password), sign a user
 * out everywhere, and send a single-use link to set a new password. Every change is kept,
 * with who made it and when, in account_events.
 */
export function createAccountAdmin(
  db: Db,
  clock: Clock,
  deps: { outbox: Outbox; templates: HouseTemplates; settings: SettingsService; publicUrl: string },
) {
  const secretariatOnly = (actor: Actor) => {
    if ('role' in actor && actor.role !== 'secretariat') {
      throw new ForbiddenError('Only the panel secretariat can manage accounts');
    }
  };

  /** The user's row, locked for the rest of the transaction: identical changes sent at once take turns, and one is recorded. */
  async function userRow(conn: Conn, userId: number) {
    const row = await conn('users').where({ id: userId }).forUpdate().first();
    if (!row) throw new NotFoundError('No user has this id');
    return row;
  }

  /** Ends every session and API token of the user, now. */
  async function signOutEverywhere(conn: Conn, userId: number, now: Date) {
    await conn('web_sessions').where({ user_id: userId }).delete();
    await conn('api_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
  }

  const record = (conn: Conn, userId: number, type: string, actor: Actor | null, now: Date) =>
    conn('account_events').insert({ user_id: userId, type, actor_id: actor ? actorId(actor) : null, at: now });

  async function details(conn: Conn, userIds?: number[]): Promise<UserDetails[]> {
    const now = clock.now();
    const q = conn('users as u')
      .orderBy('u.id')
      .select(
        'u.*',
        conn('api_tokens as t')
          .count('*')
          .whereRaw('t.user_id = u.id')
          .whereNull('t.revoked_at')
          .where((w) => w.whereNull('t.expires_at').orWhere('t.expires_at', '>', now))
          .as('active_tokens'),
        conn('web_sessions as s')
          .count('*')
          .whereRaw('s.user_id = u.id')
          .where('s.expires_at', '>', now)
          // Half-way through signing in is not signed in.
          .where('s.second_factor_pending', false)
          .as('active_sessions'),
      );
    if (userIds) q.whereIn('u.id', userIds);
    return (await q).map((row: Record<string, unknown>) => ({
      ...toUser(row as unknown as Parameters<typeof toUser>[0]),
      disabled: row.disabled_at !== null,
      twoFactor: row.totp_enabled_at !== null && row.totp_enabled_at !== undefined,
      disabledAt: toIso(row.disabled_at as Date | null),
      lastSignInAt: toIso(row.last_sign_in_at as Date | null),
      activeTokens: Number(row.active_tokens),
      activeSessions: Number(row.active_sessions),
    }));
  }

  return {
    async list(actor: Actor): Promise<UserDetails[]> {
      secretariatOnly(actor);
      return details(db);
    },

    async get(actor: Actor, userId: number): Promise<UserDetails> {
      secretariatOnly(actor);
      const [user] = await details(db, [userId]);
      if (!user) throw new NotFoundError('No user has this id');
      return user;
    },

    /** What was done to an account, newest first, with who did it. */
    async history(actor: Actor, userId: number) {
      secretariatOnly(actor);
      // The account (404 when there is none) and its newest hundred events, in one statement.
      const user = await db('users as u')
        .where('u.id', userId)
        .first(
          'u.id',
          db.raw(
            `(select coalesce(json_agg(x order by x.id desc), '[]'::json) from (
                select e.id, e.type, e.at, a.name as actor from account_events e left join users a on a.id = e.actor_id
                 where e.user_id = u.id order by e.id desc limit 100) x) as events`,
          ),
        );
      if (!user) throw new NotFoundError('No user has this id');
      const rows = user.events as { type: string; at: string; actor: string | null }[];
      return rows.map((r) => ({ type: r.type, at: isoFromJson(r.at), by: r.actor ?? null }));
    },

    async disable(actor: Actor, userId: number): Promise<UserDetails> {
      secretariatOnly(actor);
      if (userId === actorId(actor))
        throw new ConflictError('You cannot disable your own account: ask another member of the secretariat');
      await db.transaction(async (trx) => {
        const row = await userRow(trx, userId);
        if (row.disabled_at) return;
        const now = clock.now();
        await trx('users').where({ id: userId }).update({ disabled_at: now });
        await signOutEverywhere(trx, userId, now);
        await record(trx, userId, 'DISABLED', actor, now);
      });
      return this.get(actor, userId);
    },

    async enable(actor: Actor, userId: number): Promise<UserDetails> {
      secretariatOnly(actor);
      await db.transaction(async (trx) => {
        const row = await userRow(trx, userId);
        if (!row.disabled_at) return;
        await trx('users').where({ id: userId }).update({ disabled_at: null });
        await record(trx, userId, 'ENABLED', actor, clock.now());
      });
      return this.get(actor, userId);
    },

    /** Signs the user out of every browser and revokes every API token they hold. */
    async signOut(actor: Actor, userId: number): Promise<UserDetails> {
      secretariatOnly(actor);
      await db.transaction(async (trx) => {
        await userRow(trx, userId);
        const now = clock.now();
        await signOutEverywhere(trx, userId, now);
        await record(trx, userId, 'SIGNED_OUT', actor, now);
      });
      return this.get(actor, userId);
    },

    /** Clears a user's two-factor sign-in (a lost phone): they set it up again at their next sign-in. */
    async resetTwoFactor(actor: Actor, userId: number): Promise<UserDetails> {
      secretariatOnly(actor);
      await db.transaction(async (trx) => {
        await userRow(trx, userId);
        const now = clock.now();
        await trx('users')
          .where({ id: userId })
          .update({
            totp_secret: null,
            totp_enabled_at: null,
            totp_last_step: null,
            recovery_codes: JSON.stringify([]),
          });
        await signOutEverywhere(trx, userId, now);
        await record(trx, userId, 'TWO_FACTOR_RESET', actor, now);
      });
      return this.get(actor, userId);
    },

    /**
     * Emails the user a single-use link to set a new password, valid for RESET_HOURS. The
     * old password stops working and the user is signed out everywhere at once: a reset is
     * asked for when a password is forgotten or may be known to someone else.
     */
    async sendPasswordReset(actor: User, userId: number): Promise<{ expiresAt: string }> {
      secretariatOnly(actor);
      const now = clock.now();
      const expires = new Date(now.getTime() + RESET_HOURS * 3600_000);
      await db.transaction(async (trx) => {
        const row = await userRow(trx, userId);
        if (row.disabled_at)
          throw new ConflictError('This account is disabled: enable it before sending a link to set a new password');
        const token = newToken();
        // Only the newest link works.
        await trx('password_resets').where({ user_id: userId }).whereNull('used_at').update({ used_at: now });
        await trx('password_resets').insert({
          user_id: userId,
          token_hash: hashToken(token),
          created_by: actor.id,
          created_at: now,
          expires_at: expires,
        });
        await trx('users').where({ id: userId }).update({ password_hash: NO_PASSWORD });
        await signOutEverywhere(trx, userId, now);
        await record(trx, userId, 'PASSWORD_RESET_SENT', actor, now);
        const { dhrMailbox } = await deps.settings.get(trx);
        const email = await deps.templates.renderEmail(trx, 'password_reset', {
          name: row.name,
          resetUrl: `${deps.publicUrl}/reset-password?token=${token}`,
          hours: RESET_HOURS,
          dhrMailbox,
        });
        await deps.outbox.enqueue(trx, {
          kind: 'password_reset',
          reviewId: null,
          letterId: null,
          template: 'password_reset',
          to: [row.email],
          cc: [],
          replyTo: dhrMailbox,
          ...email,
          attachLetter: false,
        });
      });
      return { expiresAt: expires.toISOString() };
    },

    /** The account a link still works for (its email, for the page that asks for the new password), or null. */
    async resetFor(token: string): Promise<{ email: string } | null> {
      if (typeof token !== 'string' || token.length > 200) return null;
      const row = await db('password_resets as p')
        .join('users as u', 'u.id', 'p.user_id')
        .where({ 'p.token_hash': hashToken(token) })
        .whereNull('p.used_at')
        .where('p.expires_at', '>', clock.now())
        .first('u.email');
      return row ? { email: row.email } : null;
    },

    /** Sets the new password from a link, once: the link is used up, and the user signs in afresh. */
    async completePasswordReset(input: unknown): Promise<void> {
      const data = parse(newPasswordSchema, input);
      const now = clock.now();
      const hash = await hashPassword(data.password);
      await db.transaction(async (trx) => {
        const reset = await trx('password_resets')
          .where({ token_hash: hashToken(data.token) })
          .whereNull('used_at')
          .where('expires_at', '>', now)
          .forUpdate()
          .first();
        if (!reset) {
          throw ValidationError.field(
            'token',
            'is not a working link: it was used already, has expired or was replaced by a newer one',
          );
        }
        const user = await userRow(trx, reset.user_id);
        if (user.disabled_at) throw ValidationError.field('token', 'is for an account that is disabled');
        await trx('password_resets').where({ id: reset.id }).update({ used_at: now });
        await trx('users').where({ id: reset.user_id }).update({ password_hash: hash });
        await trx('sign_in_failures')
          .where({ email: String(user.email).toLowerCase() })
          .delete();
        await signOutEverywhere(trx, reset.user_id, now);
        await record(trx, reset.user_id, 'PASSWORD_SET', null, now);
      });
    },
  };
}

export type AccountAdmin = ReturnType<typeof createAccountAdmin>;
