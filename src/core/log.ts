/**
 * The service's one logger: JSON lines (pino) on stdout, one per request (see src/app.ts) and
 * one per event worth knowing about. Nothing personal goes in: no request bodies, no query
 * strings, no cookies or tokens, no email addresses, and no error messages (knex puts the SQL
 * and its values in front of a database error's message); a signed-in user is their numeric
 * id and role only. An error is logged as its kind, its code and, where it is unexpected, its
 * stack frames.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

export type { Logger } from 'pino';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL when it is one; otherwise `info`, or `silent` under Jest (NODE_ENV=test) so test output stays clean. */
export function logLevel(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const wanted = env.LOG_LEVEL?.trim().toLowerCase();
  if (wanted && LEVELS.includes(wanted)) return wanted as LevelWithSilent;
  return env.NODE_ENV === 'test' && !wanted ? 'silent' : 'info';
}

/**
 * A safety net under the serializers below: should anything ever log a whole object
 * (a user, a request, a form), these fields of it are replaced.
 */
const REDACT = ['email', 'password', 'token', 'body', 'query', 'headers', 'cookies', 'authorization'].flatMap((key) => [
  key,
  `*.${key}`,
]);

export interface LoggerOptions {
  /** Where the lines go: stdout unless given (tests pass a stream they read). */
  destination?: DestinationStream;
  /** `logLevel()` unless given. */
  level?: LevelWithSilent;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? logLevel(),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errorFacts },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Synchronous: a line is out before the process exits, and never interleaves with the server's banner. */
let sink: DestinationStream = pino.destination({ dest: 1, sync: true });

/** The process's logger, on stdout. The HTTP app takes its own (createApp's `logger`), by default this one. */
export const log: Logger = createLogger({ destination: { write: (line: string) => sink.write(line) } });

/** The command line keeps stdout for what it prints for the person (a token, say): its log lines go to stderr. */
export function logToStderr(): void {
  sink = pino.destination({ dest: 2, sync: true });
}

const wantedLevel = process.env.LOG_LEVEL?.trim();
if (wantedLevel && !LEVELS.includes(wantedLevel.toLowerCase())) {
  log.warn({ levels: LEVELS }, 'LOG_LEVEL is not a level: logging at info');
}

/** What an error is, without its message: its kind and code (a PostgreSQL or system error code). */
export function errorKind(err: unknown): { type: string; code?: string } {
  if (err === null || typeof err !== 'object') return { type: typeof err };
  const { name, code } = err as { name?: unknown; code?: unknown };
  const type = typeof name === 'string' && name ? name : (err.constructor?.name ?? 'Error');
  return typeof code === 'string' || typeof code === 'number' ? { type, code: String(code) } : { type };
}

/**
 * The `err` serializer: an error's kind and code, the database constraint it broke, and its
 * stack frames ("at ..." lines) but not the message the stack starts with.
 */
export function errorFacts(err: unknown): { type: string; code?: string; constraint?: string; stack?: string } {
  const facts: { type: string; code?: string; constraint?: string; stack?: string } = errorKind(err);
  const { constraint, stack } = (err ?? {}) as { constraint?: unknown; stack?: unknown };
  if (typeof constraint === 'string') facts.constraint = constraint;
  if (typeof stack === 'string') {
    const frames = stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .map((line) => line.trim());
    if (frames.length > 0) facts.stack = frames.join('\n');
  }
  return facts;
}

/** The path a request asked for, without its query string (which can hold search terms and tokens). */
export function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 300 ? `${path.slice(0, 300)}…` : path;
}

/** What a client may choose as its request id: anything else is replaced by one of ours. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id: the caller's X-Request-Id when it is a plain one, otherwise a new UUID; it is sent back as X-Request-Id. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Health checks come every few seconds from a load balancer: they are logged at debug. */
const QUIET_PATHS = new Set(['/health', '/ready']);

type Req = IncomingMessage & { originalUrl?: string; user?: { id: number; role: string } };

/**
 * One line per request when its response is finished: method, path, status, time taken,
 * request id (`reqId`, also on every line logged through `req.log`) and the signed-in
 * user's id and role. 5xx answers are logged at warn; what caused an unexpected one is
 * logged at error by the error handler (src/core/httpError.ts).
 */
export function httpLogger(logger: Logger): HttpLogger<Req, ServerResponse> {
  return pinoHttp<Req, ServerResponse>({
    logger,
    genReqId: requestId,
    // reqId on every line of req.log; the request's method and path on the request's own line.
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: {
      req: (req: Req) => ({ method: req.method, path: pathOf(req) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: errorFacts,
    },
    customProps: (req) => (req.user ? { userId: req.user.id, role: req.user.role } : {}),
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'warn';
      if (res.statusCode < 400 && QUIET_PATHS.has(pathOf(req))) return 'debug';
      return 'info';
    },
    customErrorMessage: () => 'request failed',
    // The line of a failed request says what kind of failure (a closed connection, say), no more.
    // (Without one, pino-http makes up an Error "failed with status code 500", which says nothing.)
    customErrorObject: (_req, _res, error, val: { res: ServerResponse; responseTime: number }) => ({
      res: val.res,
      responseTime: val.responseTime,
      ...((error as { code?: unknown }).code !== undefined ? { err: errorKind(error) } : {}),
    }),
  });
}
