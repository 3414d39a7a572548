/**
 * The one place that decides what a thrown error means over HTTP: its status, what the person
 * is told and, for a form, which fields. The API's error handler (src/app.ts) answers in JSON,
 * the pages' (src/web/index.ts) with a GOV.UK page; both ask here, so they never disagree.
 */
import type { Request } from 'express';
import multer from 'multer';
import {
  AppError,
  type FieldError,
  isDatabaseUnavailable,
  refusedByDatabase,
  TooManyRequestsError,
  ValidationError,
} from './errors';
import { errorKind, pathOf } from './log';

/** Who is told: a program calling the API, or a person reading a page. Some refusals are worded for each. */
export type Audience = 'api' | 'page';

export interface HttpAnswer {
  status: number;
  /** What the caller is told (for the server's own failures, on a page, the page's title). */
  message: string;
  /** The fields at fault: a form that did not validate, or an upload that was refused. */
  fields?: FieldError[];
  /** For a 429: when to try again (the Retry-After header). */
  retryAfterSeconds?: number;
  /**
   * app: an AppError, or what the database refused, told as it is; upload: the upload parser's
   * refusal; request: a body or request that could not be read; unavailable: the database is
   * away (503); unexpected: anything else, a fault of ours (500).
   */
  kind: 'app' | 'upload' | 'request' | 'unavailable' | 'unexpected';
}

const UPLOAD_FIELDS: Record<string, (max: number) => [string, string]> = {
  LIMIT_FILE_SIZE: (max) => ['file', `must be at most ${megabytes(max)} MB`],
  LIMIT_FILE_COUNT: () => ['file', 'send one file at a time'],
  LIMIT_UNEXPECTED_FILE: () => ['file', 'send the document in a field named "file"'],
};

const megabytes = (bytes: number) => Math.round(bytes / 1048576);

/** What an error means over HTTP. Pure: logging what is the server's fault is `logFailure`'s. */
export function classifyError(err: unknown, options: { audience: Audience; maxUploadBytes: number }): HttpAnswer {
  const { audience, maxUploadBytes } = options;
  if (err instanceof ValidationError) {
    return { kind: 'app', status: 422, message: err.message, fields: err.errors };
  }
  if (err instanceof AppError) {
    return {
      kind: 'app',
      status: err.status,
      message: err.message,
      ...(err instanceof TooManyRequestsError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    };
  }
  if (err instanceof multer.MulterError) {
    const [field, problem] = UPLOAD_FIELDS[err.code]?.(maxUploadBytes) ?? [
      err.field ?? 'file',
      'the upload could not be read',
    ];
    const why =
      err.code === 'LIMIT_FILE_SIZE'
        ? `it is larger than ${megabytes(maxUploadBytes)} MB, the most a document may be`
        : 'send one document at a time, from the form on the page';
    const message =
      audience === 'api'
        ? `${field}: ${problem}`
        : `The file could not be uploaded: ${why}. Go back and choose another file.`;
    return { kind: 'upload', status: 422, message, fields: [{ field, message: problem }] };
  }
  // The body parsers' own refusals (not JSON, too large, too many fields): the sender's problem, not ours.
  const { status, type, expose } = err as { status?: unknown; type?: unknown; expose?: unknown };
  if (type === 'entity.parse.failed' || type === 'entity.too.large') {
    const tooLarge = type === 'entity.too.large';
    return { kind: 'request', status: tooLarge ? 413 : 400, message: requestMessage(audience, tooLarge) };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message =
      audience === 'api'
        ? expose
          ? (err as Error).message
          : 'The request could not be understood'
        : requestMessage(audience, status === 413);
    return { kind: 'request', status, message };
  }
  const refused = refusedByDatabase(err);
  if (refused) return { kind: 'app', status: refused.status, message: refused.message };
  if (isDatabaseUnavailable(err)) {
    return {
      kind: 'unavailable',
      status: 503,
      message:
        audience === 'api'
          ? 'The service is briefly unavailable. Nothing was changed; please try again shortly.'
          : 'Sorry, the service is unavailable',
    };
  }
  return {
    kind: 'unexpected',
    status: 500,
    message:
      audience === 'api'
        ? 'Something went wrong on our side. Nothing was changed; please try again.'
        : 'Sorry, there is a problem with the service',
  };
}

function requestMessage(audience: Audience, tooLarge: boolean): string {
  if (audience === 'api') {
    return tooLarge ? 'The request body is too large' : 'The request body is not valid JSON';
  }
  return tooLarge
    ? 'What you sent is too large. Go back, shorten it and try again.'
    : 'What you sent could not be understood. Go back and try again.';
}

/**
 * Logs what is the server's fault, once, with the request id (on every line of `req.log`):
 * an unexpected error with its kind and stack frames; the database being away with its
 * code alone (a line per request while it is away, and no stack: it is not a fault in the code).
 */
export function logFailure(req: Request, err: unknown, answer: HttpAnswer): void {
  const where = { method: req.method, path: pathOf(req) };
  if (answer.kind === 'unexpected') req.log.error({ ...where, err }, 'unexpected error');
  else if (answer.kind === 'unavailable') req.log.warn({ ...where, err: errorKind(err) }, 'database unavailable');
}
