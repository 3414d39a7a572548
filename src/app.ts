import crypto from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import multer from 'multer';
import { apiRouter } from './api/router';
import {
  AppError,
  isDatabaseUnavailable,
  refusedByDatabase,
  TooManyRequestsError,
  ValidationError,
} from './core/errors';
import type { Services } from './services';
import { webRouter } from './web';

export interface AppOptions {
  /** Signs CSRF tokens. */
  sessionSecret: string;
  /** Production: Secure cookies, HSTS and upgrading insecure requests. */
  secure: boolean;
  /** Express's `trust proxy` (TRUST_PROXY): the client's address, and so the sign-in limit, depends on it. */
  trustProxy?: boolean | number | string;
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

const MULTER_MESSAGES: Record<string, (max: number) => [string, string]> = {
  LIMIT_FILE_SIZE: (max) => ['file', `must be at most ${Math.round(max / 1048576)} MB`],
  LIMIT_FILE_COUNT: () => ['file', 'send one file at a time'],
  LIMIT_UNEXPECTED_FILE: () => ['file', 'send the document in a field named "file"'],
};

/** The API's one error handler: typed errors keep their status and message; anything else is a bare 500. */
function apiErrorHandler(maxUploadBytes: number) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ValidationError) {
      res.status(422).json({ errors: err.errors });
      return;
    }
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
    if (err instanceof AppError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    if (err instanceof multer.MulterError) {
      const [field, message] = MULTER_MESSAGES[err.code]?.(maxUploadBytes) ?? [
        err.field ?? 'file',
        'the upload could not be read',
      ];
      res.status(422).json({ errors: [{ field, message }] });
      return;
    }
    const status = (err as { status?: number }).status;
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: 'The request body is not valid JSON' });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: 'The request body is too large' });
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const expose = (err as { expose?: boolean }).expose;
      res.status(status).json({ error: expose ? (err as Error).message : 'The request could not be understood' });
      return;
    }
    const refused = refusedByDatabase(err);
    if (refused) {
      res.status(refused.status).json({ error: refused.message });
      return;
    }
    const { name, code } = err as { name?: string; code?: string };
    if (isDatabaseUnavailable(err)) {
      console.error(`database unavailable during ${req.method} ${req.path}: ${code ?? name}`);
      res
        .status(503)
        .json({ error: 'The service is briefly unavailable. Nothing was changed; please try again shortly.' });
      return;
    }
    // Log what went wrong without the message or stack: they can carry SQL and report text.
    console.error(`error ${req.method} ${req.path}: ${name ?? 'Error'}${code ? ` (${code})` : ''}`);
    res.status(500).json({ error: 'Something went wrong on our side. Nothing was changed; please try again.' });
  };
}
