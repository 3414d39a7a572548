import crypto from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { apiRouter } from './api/router';
import { classifyError, logFailure } from './core/httpError';
import { httpLogger, log, type Logger } from './core/log';
import type { Services } from './services';
import { webRouter } from './web';

export interface AppOptions {
  /** Signs CSRF tokens. */
  sessionSecret: string;
  /** Production: Secure cookies, HSTS and upgrading insecure requests. */
  secure: boolean;
  /** Express's `trust proxy` (TRUST_PROXY): the client's address, and so the sign-in limit, depends on it. */
  trustProxy?: boolean | number | string;
  /** Where the request lines and errors are logged: src/core/log.ts's `log` unless given (tests pass their own). */
  logger?: Logger;
}

const GOVUK = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk');
const STATIC = path.join(__dirname, 'web', 'static');

/** Builds the HTTP application. It never listens: src/server.ts does, tests use it directly. */
export function createApp(
  services: Services,
  options: AppOptions = { sessionSecret: crypto.randomBytes(32).toString('hex'), secure: false },
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Pages and API answers are never cached (no-store), so hashing each body for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? 'loopback');
  // First, so that every answer has a request id (X-Request-Id) and every request its line in the log.
  app.use(httpLogger(options.logger ?? log));
  // A fresh nonce per response lets the GOV.UK template's one inline script run, and nothing else.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = crypto.randomBytes(16).toString('hex');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: options.secure ? [] : null,
        },
      },
      strictTransportSecurity: options.secure,
    }),
  );
  // None of the browser's powerful features is used: say so, so that no page can be made to ask for them.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()');
    next();
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    try {
      await services.db.raw('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', error: 'The database is not reachable' });
    }
  });

  const assets = { immutable: false, maxAge: '1h', index: false };
  app.use('/assets', express.static(path.join(GOVUK, 'assets'), assets));
  app.get(['/assets/govuk-frontend.min.css', '/assets/govuk-frontend.min.js'], (req, res) => {
    res.sendFile(path.join(GOVUK, path.basename(req.path)), { maxAge: '1h' });
  });
  app.use('/assets', express.static(STATIC, assets));

  app.use('/api/v1', apiRouter(services, { maxUploadBytes: services.maxUploadBytes }));
  app.use('/api', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').status(404).json({ error: 'Not found' });
  });
  app.use('/api', apiErrorHandler(services.maxUploadBytes));
  app.use(webRouter(services, options));
  return app;
}

/**
 * The API's one error handler: what the error means is src/core/httpError.ts's to say. An
 * unexpected error is logged with its request id, which the answer gives as its reference.
 */
function apiErrorHandler(maxUploadBytes: number) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const answer = classifyError(err, { audience: 'api', maxUploadBytes });
    logFailure(req, err, answer);
    if (answer.retryAfterSeconds !== undefined) res.set('Retry-After', String(answer.retryAfterSeconds));
    res.status(answer.status);
    if (answer.fields) res.json({ errors: answer.fields });
    else if (answer.kind === 'unexpected') res.json({ error: answer.message, reference: String(req.id) });
    else res.json({ error: answer.message });
  };
}
