import crypto from 'node:crypto';
import type { Db } from '../db/connect';
import type { Clock } from '../core/clock';
import { hashToken } from '../services/passwords';

const KEPT_MS = 3600_000;
/** A user's newest kept forms: enough for several tabs, not a store to fill. */
const KEPT_PER_USER = 5;

/** What a kept form held: its fields as sent (a field sent more than once is a list). */
export type KeptFields = Record<string, string | string[]>;

/**
 * Forms sent after their session ran out. The form's CSRF token was checked against the
 * session that issued it, so only its own user's browser can have sent it; it is kept for
 * that user for an hour and given back once, after they sign in again, to send on or not.
 */
export function createKeptForms(db: Db, clock: Clock) {
  return {
    async keep(userId: number, action: string, body: Record<string, unknown>): Promise<string> {
      const id = crypto.randomBytes(24).toString('base64url');
      const now = clock.now();
      const fields: KeptFields = {};
      for (const [name, value] of Object.entries(body ?? {})) {
        if (name === '_csrf') continue;
        // The database cannot hold a NUL; the form would refuse one anyway, and the rest is worth keeping.
        if (typeof value === 'string') fields[name] = value.replace(/\u0000/g, '');
        else if (Array.isArray(value))
          fields[name] = value.filter((v): v is string => typeof v === 'string').map((v) => v.replace(/\u0000/g, ''));
      }
      await db('kept_forms').where('expires_at', '<', now).delete();
      const older = db('kept_forms')
        .where({ user_id: userId })
        .orderBy('created_at', 'desc')
        .offset(KEPT_PER_USER - 1)
        .select('id_hash');
      await db('kept_forms').whereIn('id_hash', older).delete();
      await db('kept_forms').insert({
        id_hash: hashToken(id),
        user_id: userId,
        action,
        fields: JSON.stringify(fields),
        created_at: now,
        expires_at: new Date(now.getTime() + KEPT_MS),
      });
      return id;
    },

    /** The kept form, for its own user, once: it is forgotten as it is given back. */
    async takeBack(userId: number, id: string): Promise<{ action: string; fields: KeptFields } | null> {
      const row = await db('kept_forms')
        .where({ id_hash: hashToken(id), user_id: userId })
        .where('expires_at', '>', clock.now())
        .first('action', 'fields');
      if (!row) return null;
      await db('kept_forms')
        .where({ id_hash: hashToken(id) })
        .delete();
      return { action: row.action as string, fields: row.fields as KeptFields };
    },
  };
}

export type KeptForms = ReturnType<typeof createKeptForms>;
