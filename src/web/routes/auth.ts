import type express from 'express';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '../../services/errors';
import { pageErrors, render, type PageError } from '../forms';
import type { WebContext } from '../index';

const LINK_GONE =
  'The link to set a new password has been used already, has expired, or was replaced by a newer one. Ask the Home Office DHR team to send you another.';

/** Only paths inside this service: never an address elsewhere. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

export function authRoutes(router: express.Router, { services, sessions, csrf }: WebContext) {
  router.get('/sign-in', (req, res) => {
    if (req.user) return res.redirect('/');
    render(req, res, 'sign-in', {
      title: 'Sign in',
      next: safeNext(req.query.next),
      values: {},
      banner: req.query.passwordSet ? { success: true, text: 'Your new password is set. Sign in with it.' } : null,
    });
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

  // Setting a new password from the link the secretariat had sent: no sign-in, the link's code is the key.
  const resetPage = (req: express.Request, res: express.Response, token: string, errors?: PageError[], status = 200) =>
    render(req, res, 'reset-password', { title: 'Set a new password', token, errors }, status);

  router.get('/reset-password', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!(await services.accountAdmin.resetIsValid(token))) {
      return render(req, res, 'errors/problem', { title: 'This link does not work', message: LINK_GONE }, 410);
    }
    resetPage(req, res, token);
  });

  router.post('/reset-password', async (req, res) => {
    const token = String(req.body.token ?? '');
    const chosen = String(req.body.password ?? '');
    if (chosen !== String(req.body.confirm ?? '')) {
      const message = 'Enter the same password twice';
      return resetPage(req, res, token, [{ field: 'confirm', message, href: '#confirm' }], 422);
    }
    try {
      await services.accountAdmin.completePasswordReset({ token, password: chosen });
      res.redirect('/sign-in?passwordSet=1');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      if (err.errors.some((e) => e.field === 'token')) {
        return render(req, res, 'errors/problem', { title: 'This link does not work', message: LINK_GONE }, 410);
      }
      resetPage(req, res, token, pageErrors(err.errors, { password: 'The new password' }), 422);
    }
  });

  router.post('/sign-out', async (req, res) => {
    await sessions.end(req, res);
    res.redirect('/sign-in?signedOut=1');
  });
}
