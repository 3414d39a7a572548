import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../core/errors';

const ANON_COOKIE = 'dhrqa_visit';

/**
 * Synchroniser tokens without server state: a form's token is an HMAC of the
 * session id (or, before sign-in, of a random visit cookie), so it is valid only
 * in the browser that received it and only while that session lasts.
 */
export function createCsrf(secret: string, options: { secure: boolean }) {
  const sign = (value: string) => crypto.createHmac('sha256', secret).update(value).digest('base64url');

  function subject(req: Request): string | undefined {
    // A session that ran out still vouches for the forms it issued: they are kept, not acted on (see keptForms.ts).
    const session = req.sessionId ?? req.timedOut?.sessionId;
    if (session) return `session:${session}`;
    const visit = req.cookies?.[ANON_COOKIE];
    return typeof visit === 'string' && visit.length <= 100 ? `visit:${visit}` : undefined;
  }

  return {
    /** Makes a token available to every page as `csrfToken`. */
    issue() {
      return (req: Request, res: Response, next: NextFunction) => {
        let who = subject(req);
        if (!who) {
          const visit = crypto.randomBytes(24).toString('base64url');
          res.cookie(ANON_COOKIE, visit, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/' });
          req.cookies = { ...req.cookies, [ANON_COOKIE]: visit };
          who = `visit:${visit}`;
        }
        res.locals.csrfToken = sign(who);
        next();
      };
    },

    /** Refuses a POST whose form does not carry the token of this browser's session. */
    check(req: Request) {
      const who = subject(req);
      const sent = req.body?._csrf;
      const expected = who ? Buffer.from(sign(who)) : undefined;
      const given = typeof sent === 'string' ? Buffer.from(sent) : undefined;
      if (!expected || !given || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
        throw new ForbiddenError('This form has expired. Go back, reload the page and try again.');
      }
    },

    /** After sign-in the session changes, so the token must be worked out afresh. */
    refresh(req: Request, res: Response) {
      const who = subject(req);
      if (who) res.locals.csrfToken = sign(who);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
