/** Process entry: configuration, database, migrations, demo data, services, HTTP. */
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { errorKind, log } from './core/log';
import { DEMO_ACCOUNTS, isEmpty, resetDemoPasswords, seedDemo, seedPoliceForceAreas } from './demo/seed';
import { warmOffThread } from './offThread';
import { open, startBackgroundWork } from './runtime';

async function main() {
  const config = loadConfig();
  warmOffThread();
  const services = await open(config);
  const { db } = services;

  let demoPassword: string | undefined;
  if (await isEmpty(db)) {
    if (config.demo) demoPassword = await seedDemo(services, config.demoPassword);
    else await seedPoliceForceAreas(db);
  } else if (config.demo && config.demoPassword) {
    await resetDemoPasswords(db, config.demoPassword);
    demoPassword = config.demoPassword;
  }

  const app = createApp(services, {
    sessionSecret: config.sessionSecret,
    secure: config.env === 'production',
    trustProxy: config.trustProxy,
  });
  const server = app.listen(config.port, () => {
    const { port } = server.address() as AddressInfo;
    const url = `http://localhost:${port}`;
    const where = config.databaseUrl
      ? 'PostgreSQL (DATABASE_URL)'
      : `the embedded database in ${path.join(config.dataDir, 'db')}`;
    const lines = [
      `DHR QA is running at ${url} on ${where}`,
      `API: ${url}/api/v1 (sign in with POST ${url}/api/v1/session)`,
    ];
    if (config.demo) {
      lines.push('Demo accounts:', ...DEMO_ACCOUNTS.map((a) => `  ${a.email.padEnd(30)} ${a.title}`));
      lines.push(
        demoPassword
          ? `  password for all of them: ${demoPassword}`
          : '  password: the one printed when this database was first created (start with DEMO_PASSWORD=... to set a new one)',
      );
    }
    lines.push(`Mail goes to ${services.transport.description}`);
    // For the person who started it, as plain text beside the log's JSON lines (never a password
    // in the log: the banner is not a log line). One write, so the whole banner is seen at once,
    // and before the log line, so whoever waits for "running at" finds the banner complete.
    process.stdout.write(`${lines.join('\n')}\n`);
    log.info({ url, mail: services.transport.description }, `DHR QA is running at ${url}`);
  });

  const stopBackgroundWork = startBackgroundWork(services, config);

  // Once stopping, every answer closes its connection: a client holding a keep-alive
  // connection (a load balancer, say) would otherwise keep it busy, and the server open, for ever.
  let stopping = false;
  server.on('request', (_req, res: ServerResponse) => {
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
  });

  const shutdown = (signal: string) => {
    log.info({ signal }, `${signal} received: finishing requests in flight`);
    stopping = true;
    server.closeIdleConnections();
    server.close(async () => {
      await stopBackgroundWork();
      await db.destroy();
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  log.fatal(
    { err: err instanceof ConfigError ? undefined : errorKind(err) },
    `Cannot start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
