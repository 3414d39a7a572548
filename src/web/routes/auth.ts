import type express from 'express';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '../../services/errors';
import { pageErrors, render } from '../forms';
import type { WebContext } from '../index';

/** Only paths inside this service: never an address elsewhere. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

export function authRoutes(router: express.Router, { services, sessions, csrf }: WebContext) {
  router.get('/sign-in', (req, res) => {
    if (req.user) return res.redirect('/');
    render(req, res, 'sign-in', { title: 'Sign in', next: safeNext(req.query.next), values: {} });
  });

  router.post('/sign-in', async (req, res) => {
    const values = { email: String(req.body.email ?? '') };
    const next = safeNext(req.body.next);
    const again = (errors: { field: string; message: string; href: string }[], status: number) =>
      render(req, res, 'sign-in', { title: 'Sign in', next, values, errors }, status);
    try {
      const user = await services.accounts.verifyCredentials(
        { email: req.body.email ?? '', password: req.body.password ?? '' },
        { address: req.ip },
      );
      await sessions.start(req, res, user.id);
      csrf.refresh(req, res);
      res.redirect(next);
    } catch (err) {
      if (err instanceof UnauthorizedError)
        return again([{ field: 'email', message: 'Enter a correct email address and password', href: '#email' }], 401);
      if (err instanceof TooManyRequestsError) {
        res.set('Retry-After', String(err.retryAfterSeconds));
        return again([{ field: 'email', message: err.message, href: '#email' }], 429);
      }
      if (err instanceof ValidationError) return again(pageErrors(err.errors), 422);
      throw err;
    }
  });

  router.post('/sign-out', async (req, res) => {
    await sessions.end(req, res);
    res.redirect('/sign-in?signedOut=1');
  });
}
