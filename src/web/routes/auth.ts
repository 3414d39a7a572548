import type express from 'express';
import type { User } from '../../core/user';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '../../core/errors';
import { pageErrors, render, type PageError } from '../forms';
import type { WebContext } from '../context';

const LINK_GONE =
  'The link to set a new password has been used already, has expired, or was replaced by a newer one. Ask the Home Office DHR team to send you another.';

/** Only paths inside this service: never an address elsewhere (browsers drop tabs and newlines, so "/\t/x" is "//x"). */
export function isLocalPath(value: unknown): value is string {
  return typeof value === 'string' && /^\/(?![/\\])[^\x00-\x1f\x7f\\]*$/.test(value);
}

function safeNext(value: unknown): string {
  return isLocalPath(value) ? value : '/';
}

/** Why the user is signing in again, and what happened to what they were doing. */
function timedOutText(next: string, upload: boolean): string {
  const why = 'You were signed out because you did not do anything for 2 hours.';
  if (upload) return `${why} Sign in again, then choose the file again: it could not be kept.`;
  if (next.startsWith('/resume/')) return `${why} Sign in again: what you typed has been kept.`;
  return `${why} Sign in again to carry on.`;
}

/** A check that has already answered the request with its error page. */
class Refused extends Error {}

export function authRoutes(router: express.Router, { services, sessions, csrf }: WebContext) {
  router.get('/sign-in', async (req, res) => {
    if (req.user) return res.redirect('/');
    const next = safeNext(req.query.next);
    // Half-way through signing in (a bookmark, the service's name in the header): back to the step owed.
    if (req.pendingUser) {
      const owed = await services.accounts.secondFactor(req.pendingUser);
      if (owed !== 'none') return res.redirect(`/sign-in/${owed}?next=${encodeURIComponent(next)}`);
    }
    render(req, res, 'sign-in', {
      title: 'Sign in',
      next,
      values: {},
      dhrMailbox: (await services.settings.get()).dhrMailbox,
      banner: req.query.passwordSet
        ? { success: true, text: 'Your new password is set. Sign in with it.' }
        : req.query.signedOut
          ? { success: true, text: 'You have signed out.' }
          : req.query.timedOut
            ? { success: false, text: timedOutText(next, req.query.upload !== undefined) }
            : null,
    });
  });

  router.post('/sign-in', async (req, res) => {
    const values = { email: String(req.body.email ?? '') };
    const next = safeNext(req.body.next);
    const again = async (errors: { field: string; message: string; href: string }[], status: number) =>
      render(
        req,
        res,
        'sign-in',
        { title: 'Sign in', next, values, errors, dhrMailbox: (await services.settings.get()).dhrMailbox },
        status,
      );
    try {
      const user = await services.accounts.verifyCredentials(
        { email: req.body.email ?? '', password: req.body.password ?? '' },
        { address: req.ip },
      );
      const second = await services.accounts.secondFactor(user);
      if (second === 'none') {
        await sessions.start(req, res, user.id);
        await services.accounts.signedIn(user.id);
        return res.redirect(next);
      }
      // The password was right; the session counts as no one until the code is given.
      await sessions.start(req, res, user.id, { pending: true });
      res.redirect(`/sign-in/${second}?next=${encodeURIComponent(next)}`);
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

  // ---- The second factor, for a session that has passed the password

  /**
   * The user half-way through signing in, when `step` is what they owe; otherwise a redirect
   * to the step they do owe (a code owed never lets them set up a new app instead), to their
   * home page when signed in, or back to the start.
   */
  async function pending(req: express.Request, res: express.Response, step: 'code' | 'set-up') {
    // The session middleware read the user with the session (a disabled one has none).
    const user = req.pendingUser ?? null;
    if (!user) {
      res.redirect(req.user ? '/' : '/sign-in');
      return null;
    }
    const owed = await services.accounts.secondFactor(user);
    if (owed === step) return user;
    res.redirect(owed === 'none' ? '/sign-in' : `/sign-in/${owed}`);
    return null;
  }

  /** The second factor passed: a fresh, full session, and on to where the user was going. */
  async function complete(req: express.Request, res: express.Response, userId: number) {
    await sessions.start(req, res, userId);
    csrf.refresh(req, res);
    await services.accounts.signedIn(userId);
  }

  const codePage = (req: express.Request, res: express.Response, errors?: PageError[], status = 200) =>
    render(
      req,
      res,
      'sign-in-code',
      { title: 'Enter your code', next: safeNext(req.query.next ?? req.body?.next), errors },
      status,
    );

  /** Runs a check of the user's current code; a wrong one or too many become the page's error on `field`. */
  async function withCode<T>(
    run: () => Promise<T>,
    field: string,
    fail: (errors: PageError[], status: number) => unknown,
    res: express.Response,
  ): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      if (
        err instanceof UnauthorizedError ||
        (err instanceof ValidationError && err.errors.some((e) => e.field === 'code'))
      ) {
        const message = 'Enter the 6-digit code your app shows now, or one of your recovery codes';
        await fail([{ field, message, href: `#${field}` }], 401);
        return undefined;
      }
      if (err instanceof TooManyRequestsError) {
        res.set('Retry-After', String(err.retryAfterSeconds));
        await fail([{ field, message: err.message, href: `#${field}` }], 429);
        return undefined;
      }
      throw err;
    }
  }

  router.get('/sign-in/code', async (req, res) => {
    if (await pending(req, res, 'code')) codePage(req, res);
  });

  router.post('/sign-in/code', async (req, res) => {
    const user = await pending(req, res, 'code');
    if (!user) return;
    const passed = await withCode(
      () => services.accounts.verifySecondFactor(user.id, { code: String(req.body.code ?? '') }, { address: req.ip }),
      'code',
      (errors, status) => codePage(req, res, errors, status),
      res,
    );
    if (!passed) return;
    await complete(req, res, user.id);
    res.redirect(safeNext(req.body.next));
  });

  async function setUpPage(
    req: express.Request,
    res: express.Response,
    user: User,
    errors?: PageError[],
    status = 200,
  ) {
    const { secret, qrCode } = await services.twoFactor.begin(user, req.sessionId!);
    const replacing = (await services.twoFactor.status(user)).enabledAt !== null;
    render(
      req,
      res,
      'two-factor-set-up',
      {
        title: replacing ? 'Move two-factor sign-in to a new app' : 'Set up two-factor sign-in',
        action: req.path,
        next: safeNext(req.query.next ?? req.body?.next),
        secret: secret.replace(/(.{4})/g, '$1 ').trim(),
        qrCode,
        replacing,
        signingIn: req.path === '/sign-in/set-up',
        required: await services.accounts.secondFactor(user).then((s) => s !== 'none'),
        errors,
      },
      status,
    );
  }

  /** Confirms the new app's code; moving from an old app also needs a code of the old one (`currentCode`). */
  async function confirmSetUp(req: express.Request, res: express.Response, user: User, after: () => Promise<void>) {
    const again = (errors: PageError[], status: number) => setUpPage(req, res, user, errors, status);
    try {
      const codes = await services.twoFactor.confirm(
        user,
        req.sessionId!,
        { code: String(req.body.code ?? '') },
        {
          replacing: req.path === '/account/two-factor',
          authorise: async () => {
            const ok = await withCode(
              () =>
                services.accounts.verifySecondFactor(
                  user.id,
                  { code: String(req.body.currentCode ?? '') },
                  { address: req.ip },
                ),
              'currentCode',
              again,
              res,
            );
            if (!ok) throw new Refused();
          },
        },
      );
      await after();
      render(req, res, 'recovery-codes', { title: 'Your recovery codes', codes, next: safeNext(req.body.next) });
    } catch (err) {
      if (err instanceof Refused) return;
      if (err instanceof ValidationError)
        return again(pageErrors(err.errors, { code: 'The code' }, { values: { code: req.body.code } }), 422);
      throw err;
    }
  }

  router.get('/sign-in/set-up', async (req, res) => {
    const user = await pending(req, res, 'set-up');
    if (user) await setUpPage(req, res, user);
  });

  router.post('/sign-in/set-up', async (req, res) => {
    const user = await pending(req, res, 'set-up');
    if (user) await confirmSetUp(req, res, user, () => complete(req, res, user.id));
  });

  // ---- One's own account: two-factor sign-in and recovery codes

  async function accountPage(req: express.Request, res: express.Response, errors?: PageError[], status = 200) {
    render(
      req,
      res,
      'account',
      {
        title: 'Your account',
        status: await services.twoFactor.status(req.user!),
        required: (await services.accounts.secondFactor(req.user!)) !== 'none',
        isSecretariat: req.user!.role === 'secretariat',
        errors,
        banner:
          req.query.passwordChanged && !errors
            ? {
                success: true,
                text: 'Your password is changed. Any other browser you were signed in on is signed out.',
              }
            : null,
      },
      status,
    );
  }

  router.get('/account', async (req, res) => {
    if (!req.user) return res.redirect('/sign-in?next=%2Faccount');
    await accountPage(req, res);
  });

  router.get('/account/two-factor', async (req, res) => {
    if (!req.user) return res.redirect('/sign-in?next=%2Faccount%2Ftwo-factor');
    await setUpPage(req, res, req.user);
  });

  router.post('/account/two-factor', async (req, res) => {
    if (!req.user) return res.redirect('/sign-in');
    await confirmSetUp(req, res, req.user, async () => {});
  });

  router.post('/account/recovery-codes', async (req, res) => {
    if (!req.user) return res.redirect('/sign-in');
    const user = req.user;
    const codes = await withCode(
      () =>
        services.twoFactor.newRecoveryCodes(user, async () => {
          await services.accounts.verifySecondFactor(
            user.id,
            { code: String(req.body.currentCode ?? '') },
            { address: req.ip },
          );
        }),
      'currentCode',
      (errors, status) => accountPage(req, res, errors, status),
      res,
    );
    if (codes) render(req, res, 'recovery-codes', { title: 'Your recovery codes', codes, next: '/account' });
  });

  router.post('/account/password', async (req, res) => {
    if (!req.user) return res.redirect('/sign-in');
    const user = req.user;
    if (String(req.body.password ?? '') !== String(req.body.confirm ?? '')) {
      const message = 'Enter the same new password twice';
      return accountPage(req, res, [{ field: 'confirm', message, href: '#confirm' }], 422);
    }
    try {
      await services.accounts.changePassword(
        user.id,
        { current: String(req.body.current ?? ''), password: String(req.body.password ?? '') },
        { address: req.ip },
      );
    } catch (err) {
      if (err instanceof ValidationError) {
        const labels = { current: 'Your current password', password: 'The new password' };
        const values = { current: req.body.current, password: req.body.password };
        return accountPage(req, res, pageErrors(err.errors, labels, { values }), 422);
      }
      if (err instanceof TooManyRequestsError) {
        res.set('Retry-After', String(err.retryAfterSeconds));
        return accountPage(req, res, [{ field: 'current', message: err.message, href: '#current' }], 429);
      }
      throw err;
    }
    // Every session of theirs ended; this browser carries on in a new one.
    await sessions.start(req, res, user.id);
    csrf.refresh(req, res);
    res.redirect('/account?passwordChanged=1');
  });

  // Setting a new password from the link the secretariat had sent: no sign-in, the link's code is the key.
  const linkGone = (req: express.Request, res: express.Response) =>
    render(req, res, 'errors/problem', { title: 'This link does not work', message: LINK_GONE }, 410);
  const resetPage = (
    req: express.Request,
    res: express.Response,
    token: string,
    email: string,
    errors?: PageError[],
    status = 200,
  ) => render(req, res, 'reset-password', { title: 'Set a new password', token, email, errors }, status);

  router.get('/reset-password', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const account = await services.accountAdmin.resetFor(token);
    if (!account) return linkGone(req, res);
    resetPage(req, res, token, account.email);
  });

  router.post('/reset-password', async (req, res) => {
    const token = String(req.body.token ?? '');
    const account = await services.accountAdmin.resetFor(token);
    if (!account) return linkGone(req, res);
    const chosen = String(req.body.password ?? '');
    if (chosen !== String(req.body.confirm ?? '')) {
      const message = 'Enter the same password twice';
      return resetPage(req, res, token, account.email, [{ field: 'confirm', message, href: '#confirm' }], 422);
    }
    try {
      await services.accountAdmin.completePasswordReset({ token, password: chosen });
      res.redirect('/sign-in?passwordSet=1');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      if (err.errors.some((e) => e.field === 'token')) return linkGone(req, res);
      const errors = pageErrors(err.errors, { password: 'The new password' }, { values: { password: chosen } });
      resetPage(req, res, token, account.email, errors, 422);
    }
  });

  router.post('/sign-out', async (req, res) => {
    await sessions.end(req, res);
    res.redirect('/sign-in?signedOut=1');
  });
}
