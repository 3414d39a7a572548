import cookieParser from 'cookie-parser';
import { distributionRoutes } from './routes/distribution';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../core/errors';
import { classifyError, logFailure } from '../core/httpError';
import type { Services } from '../services';
import { documentUpload } from '../services/documentTypes';
import { createCsrf } from './csrf';
import { render } from './forms';
import { authRoutes } from './routes/auth';
import { confirmStepRoutes } from './routes/confirmSteps';
import { correctionRoutes } from './routes/corrections';
import { cspRoutes } from './routes/csp';
import { letterRoutes } from './routes/letters';
import { nationalRoutes } from './routes/national';
import { timeTakenRoutes } from './routes/timeTaken';
import { recommendationRoutes } from './routes/recommendations';
import { recommendationOwnerRoutes } from './routes/recommendationOwners';
import { qaChecklistRoutes } from './routes/qaChecklist';
import { scopingRoutes } from './routes/scoping';
import { decisionRoutes } from './routes/decisions';
import { reportRoutes } from './routes/reports';
import { reviewRoutes } from './routes/reviews';
import { secretariatRoutes } from './routes/secretariat';
import { createKeptForms } from './keptForms';
import { isLocalPath } from './routes/auth';
import { timeoutRoutes } from './routes/timeout';
import { createSessions } from './session';
import type { WebContext } from './context';

export interface WebOptions {
  sessionSecret: string;
  secure: boolean;
}

/** The pages whose forms upload a file: they parse it, then check the form's CSRF token themselves. */
const UPLOAD_PATHS = [
  /^\/reviews\/\d+\/documents$/,
  /^\/reviews\/\d+\/documents\/\d+\/replace$/,
  /^\/reviews\/\d+\/revised-report$/,
  /^\/actions\/\d+\/updates$/,
];

/** Every page routes module registers itself here. */
const PAGES: ((router: express.Router, ctx: WebContext) => void)[] = [
  secretariatRoutes,
  cspRoutes,
  recommendationOwnerRoutes,
  qaChecklistRoutes,
  scopingRoutes,
  decisionRoutes,
  recommendationRoutes,
  nationalRoutes,
  timeTakenRoutes,
  reportRoutes,
  reviewRoutes,
  confirmStepRoutes,
  correctionRoutes,
  distributionRoutes,
  letterRoutes,
];

/** The server-rendered pages: sessions, CSRF on every POST, then the pages of each role. */
export function webRouter(services: Services, options: WebOptions): express.Router {
  const router = express.Router();
  const sessions = createSessions(services.db, services.clock, { secure: options.secure });
  const csrf = createCsrf(options.sessionSecret, { secure: options.secure });
  const upload = documentUpload(services, { fields: 8, parts: 9 });
  const keptForms = createKeptForms(services.db, services.clock);
  const ctx: WebContext = { services, upload, csrf, sessions, keptForms };

  router.use(cookieParser());
  router.use(express.urlencoded({ extended: false, limit: '500kb', parameterLimit: 2000 }));
  router.use(sessions.middleware());
  router.use(csrf.issue());
  // Every POST carries the token. An upload's form is read by its route, which checks the
  // token once the upload is parsed; any other page refuses a multipart body outright, so
  // no route can act on a form whose token was never read.
  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    if (!req.is('multipart/form-data')) csrf.check(req);
    else if (!UPLOAD_PATHS.some((path) => path.test(req.path))) {
      throw new AppError(415, 'This form cannot be sent as a file upload. Go back, reload the page and try again.');
    }
    next();
  });
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  authRoutes(router, ctx);
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (req.user) return next();
    // Signed out because nothing was done for a while: said so, and nothing typed is lost.
    const timedOut = req.timedOut ? '&timedOut=1' : '';
    if (req.method === 'GET') return res.redirect(`/sign-in?next=${encodeURIComponent(req.originalUrl)}${timedOut}`);
    // The warning's "Stay signed in" came too late: it is told so, and keeps nothing.
    if (req.path === '/session/keep-alive') return res.status(401).json({ error: 'You have been signed out' });
    if (!req.timedOut) return res.redirect('/sign-in');
    // A file cannot be kept; the user is told to choose it again.
    if (req.is('multipart/form-data')) return res.redirect('/sign-in?timedOut=1&upload=1');
    // Only a form for one of this service's own pages is kept, to be sent back there.
    if (!isLocalPath(req.originalUrl) || req.originalUrl.length > 500) return res.redirect('/sign-in?timedOut=1');
    const kept = await keptForms.keep(req.timedOut.userId, req.originalUrl, req.body);
    res.redirect(`/sign-in?next=${encodeURIComponent(`/resume/${kept}`)}&timedOut=1`);
  });
  router.get('/', (req, res) => {
    const home = {
      secretariat: '/dashboard',
      panel: '/dashboard',
      csp: '/my-reviews',
      pcc: '/reviews',
      agency: '/recommendations',
      commissioner: '/reviews',
    };
    res.redirect(home[req.user!.role]);
  });
  timeoutRoutes(router, ctx);
  for (const register of PAGES) register(router, ctx);

  router.use((req: Request, res: Response) => {
    render(req, res, 'errors/not-found', { title: 'Page not found' }, 404);
  });
  router.use(errorPage(services.maxUploadBytes));
  return router;
}

/**
 * Errors as GOV.UK pages: what the error means is src/core/httpError.ts's to say. The server's
 * own failures show the request id as a reference to quote, the one its log lines carry.
 */
const errorPage = (maxUploadBytes: number) => (err: unknown, req: Request, res: Response, _next: NextFunction) => {
  const answer = classifyError(err, { audience: 'page', maxUploadBytes });
  logFailure(req, err, answer);
  if (answer.retryAfterSeconds !== undefined) res.set('Retry-After', String(answer.retryAfterSeconds));
  const { kind, status, message } = answer;
  if (kind === 'unavailable' || kind === 'unexpected') {
    return render(req, res, 'errors/server', { title: message, reference: String(req.id) }, status);
  }
  if (kind === 'app' && status === 404) return render(req, res, 'errors/not-found', { title: 'Page not found' }, 404);
  const title =
    kind === 'upload'
      ? 'There is a problem with the file'
      : kind === 'app' && status === 403
        ? 'You cannot do this'
        : 'There is a problem';
  render(req, res, 'errors/problem', { title, message }, status);
};
