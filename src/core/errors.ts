/** Errors that carry the HTTP status they mean. The one error handler turns them into responses. */

export interface FieldError {
  field: string;
  message: string;
  /** The line of a template or pasted text the error is on, where there is one. */
  line?: number | null;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string) {
    super(400, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first: send a valid token as "Authorization: Bearer <token>"') {
    super(401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, message);
  }
}

/** Also used for records outside the caller's scope, so their existence is not revealed. */
export class NotFoundError extends AppError {
  constructor(what = 'Not found') {
    super(404, what);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message);
  }
}

export class ValidationError extends AppError {
  constructor(readonly errors: FieldError[]) {
    super(422, errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message);
  }
}

/**
 * What PostgreSQL refuses because of what was sent, not because of a fault: a value out of
 * range or that cannot be stored, or a record made twice at the same moment. Validation
 * catches these first; this is the backstop that keeps any it misses from being a 500.
 */
const REFUSED_VALUE = ['22001', '22003', '22007', '22008', '22021', '22P02', '22P05', '54000'];

export function refusedByDatabase(err: unknown): AppError | null {
  const code = (err as { code?: unknown }).code;
  if (code === '23505') {
    return new ConflictError(
      'This was just made by another request at the same moment. Reload and check before trying again.',
    );
  }
  if (typeof code === 'string' && REFUSED_VALUE.includes(code)) {
    return new BadRequestError(
      'Something sent is out of range or holds characters that cannot be stored. Nothing was changed.',
    );
  }
  return null;
}

/** Connection failures and PostgreSQL shutting down: a request can be retried once the database is back. */
const DATABASE_DOWN = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001'];

/**
 * What the pg driver throws, without a code, at a query on a connection the server has just
 * closed (PostgreSQL stopping while a transaction was open, say); knex puts the SQL in front.
 */
const CONNECTION_LOST =
  /(^| - )(Connection terminated|Connection ended unexpectedly|Client has encountered a connection error|Client was closed)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  const { name, code, message } = err as { name?: string; code?: string; message?: unknown };
  return (
    name === 'KnexTimeoutError' ||
    (code !== undefined && DATABASE_DOWN.includes(code)) ||
    (code === undefined && typeof message === 'string' && CONNECTION_LOST.test(message))
  );
}
