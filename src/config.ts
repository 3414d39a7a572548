import path from 'node:path';

export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  dataDir: string;
  /** PostgreSQL connection string; when absent the embedded database in `<dataDir>/db` is used. */
  databaseUrl: string | undefined;
  /** Connections each process keeps to PostgreSQL at most. */
  databasePoolSize: number;
  /**
   * The schema owner's PostgreSQL connection string, for migrating at start-up when
   * DATABASE_URL is a least-privilege role that cannot change the schema.
   */
  migrationDatabaseUrl: string | undefined;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For to believe for the client's address. */
  trustProxy: boolean | number | string;
  sessionSecret: string;
  /** Seed demo data into an empty database. */
  demo: boolean;
  demoPassword: string | undefined;
  maxUploadBytes: number;
  /** Uploads one user may have in progress at once. */
  uploadsAtOnce: number;
  /** The secretariat and the panel must sign in with a second factor. */
  twoFactorRequired: boolean;
  /** How long a token issued by POST /api/v1/session stays valid. */
  sessionTtlHours: number;
  /** Address of the app as users reach it, for links in emails. */
  publicUrl: string;
  /** SMTP server for outgoing mail; when absent, mail is written to `<dataDir>/mail` instead. */
  smtpUrl: string | undefined;
  mailFrom: string;
  mailMaxAttempts: number;
  mailRetrySeconds: number;
  /** How often the worker looks for mail to send (reminders are looked for every few minutes). */
  workerIntervalSeconds: number;
}

export class ConfigError extends Error {}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

/** 0 asks the system for any free port (the address is printed at start-up). */
function port(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`PORT must be a port number, got "${value}"`);
  return n;
}

/**
 * `true`/`false`, a number of proxy hops, or addresses and subnets (e.g. `10.0.0.0/8`,
 * `loopback`) as Express reads them. The default trusts only a proxy on this machine.
 */
function trustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value.trim() === '') return 'loopback';
  const v = value.trim();
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const sessionSecret = env.SESSION_SECRET;
  if (mode === 'production' && (!sessionSecret || sessionSecret.length < 32)) {
    throw new ConfigError('SESSION_SECRET must be set to at least 32 characters in production');
  }
  if (env.MIGRATION_DATABASE_URL && !env.DATABASE_URL) {
    throw new ConfigError('MIGRATION_DATABASE_URL is for PostgreSQL: set DATABASE_URL too');
  }
  return {
    env: mode,
    port: port(env.PORT),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: integer('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, 10),
    migrationDatabaseUrl: env.MIGRATION_DATABASE_URL || undefined,
    trustProxy: trustProxy(env.TRUST_PROXY),
    // Outside production a per-process secret is fine: it only signs short-lived development sessions.
    sessionSecret: sessionSecret || `dev-${process.pid}-${Date.now()}-${Math.random()}`,
    demo: mode !== 'production' && env.DEMO !== '0',
    demoPassword: env.DEMO_PASSWORD || undefined,
    maxUploadBytes: integer('MAX_UPLOAD_MB', env.MAX_UPLOAD_MB, 20) * 1024 * 1024,
    uploadsAtOnce: integer('UPLOADS_AT_ONCE', env.UPLOADS_AT_ONCE, 2),
    // On in production; a demo on a laptop should not need a phone app before anyone can look round.
    twoFactorRequired: env.TWO_FACTOR_REQUIRED ? env.TWO_FACTOR_REQUIRED !== '0' : mode === 'production',
    sessionTtlHours: integer('SESSION_TTL_HOURS', env.SESSION_TTL_HOURS, 12),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port(env.PORT) || 3000}`).replace(/\/$/, ''),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Home Office DHR Quality Assurance <dhr-qa@dhr-qa.example>',
    mailMaxAttempts: integer('MAIL_MAX_ATTEMPTS', env.MAIL_MAX_ATTEMPTS, 8),
    mailRetrySeconds: integer('MAIL_RETRY_SECONDS', env.MAIL_RETRY_SECONDS, 30),
    workerIntervalSeconds: integer('WORKER_INTERVAL_SECONDS', env.WORKER_INTERVAL_SECONDS, 5),
  };
}
