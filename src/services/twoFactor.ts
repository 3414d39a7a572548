import crypto from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Db } from '../db/connect';
import type { User } from '../core/user';
import type { Clock } from '../core/clock';
import { ConflictError, ValidationError } from '../core/errors';
import { hashToken } from './passwords';
import { parse } from '../core/validation';

/** How many single-use recovery codes a user gets, for when their phone is lost. */
export const RECOVERY_CODES = 10;

const codeSchema = z.strictObject({
  code: z.string({ error: 'must be the 6-digit code from your authenticator app' }).max(40),
});

/** "k3v9-p2xq-7hmd": easy to read out and type, 60 bits of chance. */
function recoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(12);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((g) => g.join('')).join('-');
}

/**
 * Setting up two-factor sign-in (TOTP, RFC 6238): a secret shown as a QR code for an
 * authenticator app, confirmed with a first code before it counts, and ten recovery codes
 * shown once. The secret being set up is kept on the browser session that asked for it,
 * never shared with another. Checking codes at sign-in is the accounts service's
 * (verifySecondFactor).
 */
export function createTwoFactor(db: Db, clock: Clock) {
  const epoch = () => Math.floor(clock.now().getTime() / 1000);
  const sessionRow = (conn: Db | Knex.Transaction, session: string) =>
    conn('web_sessions').where({ id_hash: hashToken(session) });

  /** New recovery codes, with the change kept in the account's history as the user's own. */
  async function freshCodes(conn: Db | Knex.Transaction, userId: number, event: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    await conn('users')
      .where({ id: userId })
      .update({ recovery_codes: JSON.stringify(codes.map((c) => hashToken(c.replace(/-/g, '')))) });
    await conn('account_events').insert({ user_id: userId, type: event, actor_id: userId, at: clock.now() });
    return codes;
  }

  return {
    /** The secret for this session to add to an authenticator app, as a QR code and as text; the same until confirmed. */
    async begin(user: User, session: string): Promise<{ secret: string; qrCode: string }> {
      // Only the first of two pages opened at once writes its secret; both then show that one. The
      // write and the reading are one statement: the secret written, or the one there already.
      const { rows } = await db.raw(
        `with written as (
           update web_sessions set totp_pending_secret = ? where id_hash = ? and totp_pending_secret is null
           returning totp_pending_secret)
         select coalesce((select totp_pending_secret from written),
                         (select totp_pending_secret from web_sessions where id_hash = ?)) as secret`,
        [generateSecret(), hashToken(session), hashToken(session)],
      );
      // A page opened at the same moment may have written its secret after this statement began: read it now.
      const row = rows[0]?.secret ? rows[0] : await sessionRow(db, session).first('totp_pending_secret as secret');
      if (!row?.secret) throw new ConflictError('Sign in again to set up two-factor sign-in');
      const secret = row.secret as string;
      const uri = generateURI({ issuer: 'DHR Quality Assurance', label: user.email, secret });
      return { secret, qrCode: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
    },

    /**
     * Turns two-factor sign-in on once the app shows a right code; the recovery codes are
     * returned once. Moving it to a new app (`replacing`) first runs `authorise`, which checks
     * a code of the old one, and then ends the user's other browser sessions.
     */
    async confirm(
      user: User,
      session: string,
      input: unknown,
      options: { replacing?: boolean; authorise?: () => Promise<void> } = {},
    ): Promise<string[]> {
      const { code } = parse(codeSchema, input);
      const row = await sessionRow(db, session).first('totp_pending_secret');
      if (!row?.totp_pending_secret) throw new ConflictError('Start setting up two-factor sign-in again');
      const enabled = (await db('users').where({ id: user.id }).first('totp_enabled_at'))?.totp_enabled_at;
      if (enabled && !options.replacing) throw new ConflictError('Two-factor sign-in is already on');
      const typed = code.replace(/\s/g, '');
      if (!/^\d{6}$/.test(typed)) throw ValidationError.field('code', 'must be the 6 digits the app shows');
      const result = verifySync({
        secret: row.totp_pending_secret,
        token: typed,
        epoch: epoch(),
        epochTolerance: 30,
      });
      if (!result.valid) {
        throw ValidationError.field(
          'code',
          'is not the code the app shows now: check the time on your phone and try the next one',
        );
      }
      if (enabled) await options.authorise?.();
      return db.transaction(async (trx) => {
        await trx('users')
          .where({ id: user.id })
          .update({
            totp_secret: row.totp_pending_secret,
            totp_enabled_at: clock.now(),
            totp_last_step: (result as { timeStep: number }).timeStep,
          });
        await sessionRow(trx, session).update({ totp_pending_secret: null });
        if (enabled) {
          await trx('web_sessions')
            .where({ user_id: user.id })
            .whereNot({ id_hash: hashToken(session) })
            .delete();
        }
        return freshCodes(trx, user.id, enabled ? 'TWO_FACTOR_CHANGED' : 'TWO_FACTOR_ON');
      });
    },

    /** New recovery codes in place of the old ones, which stop working; `authorise` checks a current code first. */
    async newRecoveryCodes(user: User, authorise: () => Promise<void>): Promise<string[]> {
      const row = await db('users').where({ id: user.id }).first('totp_enabled_at');
      if (!row?.totp_enabled_at) throw new ConflictError('Two-factor sign-in is not set up');
      await authorise();
      return freshCodes(db, user.id, 'RECOVERY_CODES_RENEWED');
    },

    /** How many recovery codes the user has left, and since when two-factor sign-in has been on. */
    async status(user: User): Promise<{ enabledAt: string | null; recoveryCodesLeft: number }> {
      const row = await db('users').where({ id: user.id }).first('totp_enabled_at', 'recovery_codes');
      return {
        enabledAt: row?.totp_enabled_at ? new Date(row.totp_enabled_at).toISOString() : null,
        recoveryCodesLeft: (row?.recovery_codes ?? []).length,
      };
    },
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
