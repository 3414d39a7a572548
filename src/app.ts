import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import multer from 'multer';
import { apiRouter } from './api/router';
import { AppError, ValidationError } from './services/errors';
import type { Services } from './services';

/** Builds the HTTP application. It never listens: src/server.ts does, tests use it directly. */
export function createApp(services: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());

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

  app.use('/api/v1', apiRouter(services, { maxUploadBytes: services.maxUploadBytes }));

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use(errorHandler(services.maxUploadBytes));
  return app;
}

const MULTER_MESSAGES: Record<string, (max: number) => [string, string]> = {
  LIMIT_FILE_SIZE: (max) => ['file', `must be at most ${Math.round(max / 1048576)} MB`],
  LIMIT_FILE_COUNT: () => ['file', 'send one file at a time'],
  LIMIT_UNEXPECTED_FILE: () => ['file', 'send the document in a field named "file"'],
};

/** Connection failures and PostgreSQL shutting down: the request can be retried once it is back. */
const DATABASE_DOWN = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001'];

/** The one error handler: typed errors keep their status and message; anything else is a bare 500. */
function errorHandler(maxUploadBytes: number) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ValidationError) {
      res.status(422).json({ errors: err.errors });
      return;
    }
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
    const { name, code } = err as { name?: string; code?: string };
    if (name === 'KnexTimeoutError' || (code && DATABASE_DOWN.includes(code))) {
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
