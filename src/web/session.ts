import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/connect';
import type { User } from '../core/user';
import { toUser } from '../services/accounts';
import type { Clock } from '../core/clock';
import { hashToken } from '../services/passwords';
import { VERSIONS_SQL, withVersions } from '../db/cacheVersions';

export const SESSION_COOKIE = 'dhrqa_session';
export const IDLE_MS = 2 * 3600_000;
const ABSOLUTE_MS = 12 * 3600_000;
const TOUCH_MS = 60_000;
const PENDING_MS = 10 * 60_000;
/** How long an ended session is remembered, so a form sent after it ran out can be kept for its user. */
const REMEMBERED_MS = 12 * 3600_000;

// Stored as API tokens are, so services can find a session's row from its id (hashToken).
const hash = hashToken;

declare module 'express-serve-static-core' {
  interface Request {
    sessionId?: string;
    /** Who has given the right password and still owes the second factor: signed in as no one yet. */
    pendingUser?: User;
    /** A session that ran out without signing out: whose it was, so what they send next is not lost. */
    timedOut?: { sessionId: string; userId: number };
    /** Seconds until the signed-in session ends if nothing more is done. */
    sessionSecondsLeft?: number;
  }
}

/**
 * Browser sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure in
 * production), stored hashed in the database. They end after two idle hours or
 * twelve hours in all, on sign-out, or when the user is removed.
 */
export function createSessions(db: Db, clock: Clock, options: { secure: boolean }) {
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: options.secure, path: '/' };

  /** A session's new deadline, in SQL: two hours after `?` (now), or its absolute end if sooner. */
  const DEADLINE_SQL = `least(?::timestamptz, s.created_at + interval '${ABSOLUTE_MS} milliseconds')`;

  /** Moves a session's idle deadline (see DEADLINE_SQL), in one statement; returns the deadline. */
  async function touch(id: string, now: Date): Promise<number> {
    const { rows } = await db.raw(
      `update web_sessions s set last_seen_at = ?, expires_at = ${DEADLINE_SQL} where s.id_hash = ? returning s.expires_at`,
      [now, new Date(now.getTime() + IDLE_MS), hash(id)],
    );
    return new Date(rows[0].expires_at).getTime();
  }

  return {
    /**
     * Starts a new session (a new id every time: signing in never reuses one, nor does passing
     * the second factor) and sets its cookie. A pending session has passed the password only.
     */
    async start(req: Request, res: Response, userId: number, options: { pending?: boolean } = {}): Promise<void> {
      const old = req.cookies?.[SESSION_COOKIE];
      if (typeof old === 'string')
        await db('web_sessions')
          .where({ id_hash: hash(old) })
          .delete();
      const id = crypto.randomBytes(32).toString('base64url');
      const now = clock.now();
      await db('web_sessions').insert({
        id_hash: hash(id),
        user_id: userId,
        created_at: now,
        last_seen_at: now,
        // Half-way through signing in, the code is owed within minutes, not hours.
        expires_at: new Date(now.getTime() + (options.pending ? PENDING_MS : IDLE_MS)),
        second_factor_pending: options.pending ?? false,
      });
      await db('web_sessions')
        .where('expires_at', '<', new Date(now.getTime() - REMEMBERED_MS))
        .delete();
      res.cookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: ABSOLUTE_MS });
      req.sessionId = id;
    },

    async end(req: Request, res: Response): Promise<void> {
      const id = req.cookies?.[SESSION_COOKIE];
      if (typeof id === 'string')
        await db('web_sessions')
          .where({ id_hash: hash(id) })
          .delete();
      res.clearCookie(SESSION_COOKIE, cookieOptions);
    },

    /**
     * Finds the signed-in user, if any, and keeps an active session alive: the session, its
     * user, the idle deadline moved on (once a minute is precise enough, and spares a write on
     * most pages) and the versions of the process's caches, all in one statement.
     */
    middleware() {
      return async (req: Request, _res: Response, next: NextFunction) => {
        const id = req.cookies?.[SESSION_COOKIE];
        if (typeof id !== 'string' || id.length > 100) return next();
        const now = clock.now();
        const idHash = hash(id);
        // The CTE's update is seen only through its RETURNING: the select reads the row as it was.
        // Disabling an account ends its sessions; this holds even for one started a moment before.
        const { rows } = await db.raw(
          `with touched as (
             update web_sessions s
                set last_seen_at = ?, expires_at = ${DEADLINE_SQL}
               from users u
              where s.id_hash = ? and u.id = s.user_id and u.disabled_at is null
                and not s.second_factor_pending and s.expires_at > ? and s.last_seen_at <= ?
             returning s.expires_at
           )
           select u.*, s.created_at as session_created_at, s.last_seen_at, s.expires_at, s.second_factor_pending,
                  (select expires_at from touched) as touched_expires_at, ${VERSIONS_SQL} as cache_versions
             from web_sessions s join users u on u.id = s.user_id
            where s.id_hash = ? and u.disabled_at is null`,
          [now, new Date(now.getTime() + IDLE_MS), idHash, now, new Date(now.getTime() - TOUCH_MS), idHash],
        );
        const row = rows[0];
        if (!row) return next();
        const carryOn = () => withVersions(db, row.cache_versions, next);
        if (new Date(row.expires_at).getTime() <= now.getTime()) {
          // Ran out: signed in as no one, but remembered so a form sent now is kept for this user.
          if (!row.second_factor_pending) req.timedOut = { sessionId: id, userId: row.id };
          return carryOn();
        }
        req.sessionId = id;
        if (row.second_factor_pending) {
          req.pendingUser = toUser(row);
          return carryOn();
        }
        const expiresAt = new Date(row.touched_expires_at ?? row.expires_at).getTime();
        req.user = toUser(row);
        req.sessionSecondsLeft = Math.max(0, Math.floor((expiresAt - now.getTime()) / 1000));
        carryOn();
      };
    },

    /** "Stay signed in": the idle deadline starts again now (never past the session's twelve hours). */
    async keepAlive(req: Request): Promise<number> {
      const now = clock.now();
      const expiresAt = await touch(req.sessionId!, now);
      return Math.max(0, Math.floor((expiresAt - now.getTime()) / 1000));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
