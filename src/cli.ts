/**
 * Administration from the command line: npm run cli -- <command> [options].
 * Uses DATABASE_URL when set, otherwise the embedded database in $DATA_DIR/db.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config';
import { backup, BackupError, describeBackup, describeRestore, restore } from './db/backup';
import { APPEND_ONLY_TABLES, AppRoleError, grantAppRole } from './db/appRole';
import { connect, type Db } from './db/connect';
import { isEmpty, seedDemo } from './demo/seed';
import { AppError, ValidationError } from './core/errors';
import { logToStderr } from './core/log';
import type { Services } from './services';
import { open } from './runtime';
import { OPERATOR } from './services/accountAdmin';

const HELP = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                       bring the database schema up to date
  seed-demo [--password P]      fill an empty database with demo data and accounts
  add-user --email E --name N --role R [--csp CSP] [--area AREA] [--organisation ORG] [--password P]
                                add a user; R is secretariat, panel, csp, pcc or agency; CSP, AREA
                                and ORG are a name or an id; without --password one is generated
                                and shown
  disable-user --email E        stop a user signing in: their sessions end and API tokens stop now
  enable-user --email E         let a disabled user sign in again
  sign-out-user --email E       end a user's sessions and revoke their API tokens
  reset-two-factor --email E    clear a user's two-factor sign-in (a lost phone): they are signed
                                out and set it up again after their password at the next sign-in
  create-token --email E [--code C] [--label L] [--days N]
                                issue an API token for a user, valid N days (90 when --days is
                                left out); the token is shown once. C is the code from the
                                user's authenticator app, or a recovery code: needed when they
                                have two-factor sign-in. The secretariat and the panel must have
                                it unless TWO_FACTOR_REQUIRED=0 is set; no token for a disabled user
  grant-app-role --role NAME    on PostgreSQL, run as the schema owner: give the existing role NAME
                                what the app needs (read and write, but only read and add on the
                                audit trails), for tables to come too; the app then connects as NAME
  backup <file>                 write every table to <file> (gzip-compressed JSON lines)
  restore <file>                restore a backup into an empty database, migrating it as needed
  help                          show this text`;

async function lookup(
  db: Db,
  table: 'csps' | 'police_force_areas' | 'organisations',
  value: string | undefined,
): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const row = /^\d+$/.test(value)
    ? await db(table)
        .where({ id: Number(value) })
        .first('id')
    : await db(table).whereRaw('lower(name) = lower(?)', [value]).first('id');
  const what = { csps: 'CSP', police_force_areas: 'police force area', organisations: 'organisation' }[table];
  if (!row) throw new CliError(`No ${what} called "${value}"`);
  return row.id;
}

class CliError extends Error {}

type Options = Record<string, string | undefined>;

const COMMANDS: Record<string, (s: Services, o: Options) => Promise<void>> = {
  async migrate() {
    console.log('The database schema is up to date.');
  },
  async 'seed-demo'(services, o) {
    if (!(await isEmpty(services.db)))
      throw new CliError('The database already holds data; demo data goes only into an empty one.');
    const password = await seedDemo(services, o.password);
    console.log(`Demo data added. Password for every demo account: ${password}`);
  },
  async 'add-user'(services, o) {
    const password = o.password ?? crypto.randomBytes(12).toString('base64url');
    const user = await services.accounts.createUser({
      email: o.email,
      name: o.name,
      role: o.role,
      cspId: await lookup(services.db, 'csps', o.csp),
      policeForceAreaId: await lookup(services.db, 'police_force_areas', o.area),
      organisationId: await lookup(services.db, 'organisations', o.organisation),
      password,
    });
    console.log(`Added ${user.role} user ${user.email} (id ${user.id}).`);
    if (!o.password) console.log(`Password: ${password}`);
  },
  async 'create-token'(services, o) {
    if (!o.email) throw new CliError('--email is required');
    // Every option is checked before the code: a code is used up only when a token is issued.
    // A token nobody remembers making should not work for ever: 90 days unless told otherwise.
    const days = o.days === undefined ? 90 : Number(o.days);
    if (!Number.isInteger(days) || days <= 0 || days > 3650) {
      throw new CliError('--days must be a whole number of days from 1 to 3650');
    }
    const label = o.label ?? 'command line';
    if (label.length > 100) throw new CliError('--label must be 100 characters or fewer');
    const user = await services.accounts.findUserByEmail(o.email);
    if (!user) throw new CliError(`No user with the email ${o.email}`);
    if ((await services.accountAdmin.get(OPERATOR, user.id)).disabled) {
      throw new CliError(`${user.email} is disabled: enable the account first. Nothing was issued.`);
    }
    // A token is as good as a signed-in session, so it needs what signing in needs: the code
    // from the user's authenticator app (or a recovery code) when they have two-factor sign-in.
    const second = await services.accounts.secondFactor(user);
    if (second === 'set-up') {
      throw new CliError(
        `${user.email} must set up two-factor sign-in before a token is made for them: they sign in to the service in a browser to do it. Nothing was issued.`,
      );
    }
    if (second === 'code') {
      if (!o.code) {
        throw new CliError(
          `--code is required: ${user.email} signs in with a code from their authenticator app or a recovery code. Nothing was issued.`,
        );
      }
      await services.accounts.verifySecondFactor(user.id, { code: o.code });
    }
    const expires = new Date(Date.now() + days * 86400_000);
    const token = await services.accounts.issueToken(user.id, label, expires);
    console.log(`Token for ${user.email}, valid until ${expires.toISOString()}:`);
    console.log(token);
  },
  'disable-user': (services, o) => accountCommand(services, o, 'disable'),
  'enable-user': (services, o) => accountCommand(services, o, 'enable'),
  'sign-out-user': (services, o) => accountCommand(services, o, 'signOut'),
  'reset-two-factor': (services, o) => accountCommand(services, o, 'resetTwoFactor'),
  async 'grant-app-role'(services, o) {
    if (!o.role) throw new CliError('--role is required: the name of the role the app connects as');
    if (services.db.client.config.client !== 'pg')
      throw new CliError('grant-app-role is for PostgreSQL (DATABASE_URL): the embedded database has one user');
    const done = await grantAppRole(services.db, o.role);
    console.log(
      `Role ${done.role} may now read and write the ${done.tables} tables in schema ${done.schema}, ` +
        `only read and add to ${APPEND_ONLY_TABLES.join(', ')}, and use the tables ${done.owner} creates later.`,
    );
  },
};

/** An account change made from the command line: the one the page makes, recorded as made by no signed-in user. */
async function accountCommand(
  services: Services,
  o: Options,
  change: 'disable' | 'enable' | 'signOut' | 'resetTwoFactor',
) {
  if (!o.email) throw new CliError('--email is required');
  const user = await services.accounts.findUserByEmail(o.email);
  if (!user) throw new CliError(`No user with the email ${o.email}`);
  const done = await services.accountAdmin[change](OPERATOR, user.id);
  console.log(
    change === 'disable'
      ? `${done.email} is disabled: signed out, API tokens stopped, sign-in refused.`
      : change === 'enable'
        ? `${done.email} can sign in again.`
        : change === 'signOut'
          ? `${done.email} is signed out everywhere and their API tokens are revoked.`
          : `${done.email}'s two-factor sign-in is cleared; they set it up again when they next sign in.`,
  );
}

/** Backups take the database as it is, so they connect without migrating it first. */
async function backupCommand(command: 'backup' | 'restore', args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new CliError(`Usage: npm run cli -- ${command} <file>`);
  const config = loadConfig();
  const embeddedDir = path.join(config.dataDir, 'db');
  if (command === 'backup' && !config.databaseUrl && !fs.existsSync(embeddedDir))
    throw new CliError(`There is no database in ${embeddedDir}: set DATA_DIR (or DATABASE_URL) to the one to back up.`);
  // A restore runs migrations: on PostgreSQL that is the schema owner's job (MIGRATION_DATABASE_URL).
  const url = command === 'restore' ? (config.migrationDatabaseUrl ?? config.databaseUrl) : config.databaseUrl;
  const db = connect({ databaseUrl: url, embeddedDir });
  try {
    const file = positionals[0]!;
    console.log(
      command === 'backup' ? describeBackup(await backup(db, file)) : describeRestore(await restore(db, file)),
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  logToStderr();
  const [command, ...rest] = argv;
  if (command === 'backup' || command === 'restore') return backupCommand(command, rest);
  if (!command || command === 'help' || command === '--help' || !COMMANDS[command]) {
    console.log(HELP);
    return command && command !== 'help' && command !== '--help' ? 2 : 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: Object.fromEntries(
      ['email', 'name', 'role', 'csp', 'area', 'organisation', 'password', 'label', 'days', 'code'].map((k) => [
        k,
        { type: 'string' as const },
      ]),
    ),
    strict: true,
  });
  // The command line fails closed: whatever the shell's NODE_ENV, the secretariat and the panel
  // must have passed the second factor for a token unless TWO_FACTOR_REQUIRED=0 is said outright.
  const config = { ...loadConfig(), twoFactorRequired: process.env.TWO_FACTOR_REQUIRED !== '0' };
  const services = await open(config);
  try {
    await COMMANDS[command]!(services, values as Options);
    return 0;
  } finally {
    await services.db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ValidationError) for (const e of err.errors) console.error(`${e.field}: ${e.message}`);
    else if (
      err instanceof AppError ||
      err instanceof CliError ||
      err instanceof AppRoleError ||
      err instanceof BackupError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error((err as Error).message);
    } else console.error(`Failed: ${(err as Error).name}`);
    process.exit(1);
  },
);
