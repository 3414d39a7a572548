/** Opens what every process needs from the configuration: the database, migrated, and the services. */
import path from 'node:path';
import type { Config } from './config';
import { migrateOnStart } from './db/appRole';
import { errorKind, log } from './core/log';
import { connect } from './db/connect';
import { mailboxTransport, smtpTransport } from './mail/transport';
import { createServices } from './services';

export async function open(config: Config) {
  const db = connect({
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    embeddedDir: path.join(config.dataDir, 'db'),
  });
  try {
    await migrateOnStart(db, config.migrationDatabaseUrl);
  } catch (err) {
    await db.destroy(); // so a caller that reports the error is not kept alive by the pool
    throw err;
  }
  const transport = config.smtpUrl
    ? smtpTransport(config.smtpUrl)
    : mailboxTransport(path.join(config.dataDir, 'mail'));
  const services = createServices(db, {
    maxUploadBytes: config.maxUploadBytes,
    uploadsAtOnce: config.uploadsAtOnce,
    twoFactorRequired: config.twoFactorRequired,
    sessionTtlHours: config.sessionTtlHours,
    transport,
    mailFrom: config.mailFrom,
    publicUrl: config.publicUrl,
    worker: { maxAttempts: config.mailMaxAttempts, baseDelayMs: config.mailRetrySeconds * 1000 },
  });
  // Reviews from before their due days were kept are measured once (a few without a running clock each time).
  await services.stageTargets.refreshDue(services.db, { missingOnly: true });
  return services;
}

/** Sends mail and reminders in the background until stopped. */
export function startBackgroundWork(services: Awaited<ReturnType<typeof open>>, config: Config) {
  const failed = (what: string) => (err: unknown) => log.error({ err: errorKind(err) }, `${what} failed`);
  services.mailWorker.start(config.workerIntervalSeconds * 1000, failed('sending mail'));
  const remind = async () => {
    const done = await services.reminders.runOnce();
    const total = Object.values(done).reduce((n, v) => n + v, 0);
    if (total > 0) log.info({ sent: done }, 'reminders sent');
  };
  const reminders = setInterval(() => remind().catch(failed('reminders')), 5 * 60_000);
  remind().catch(failed('reminders'));
  return async () => {
    clearInterval(reminders);
    await services.mailWorker.stop();
    services.transport.close();
  };
}
