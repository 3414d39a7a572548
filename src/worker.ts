/**
 * The mail and reminder worker on its own (`npm run worker`), for running it apart
 * from the web processes. Any number of workers can share one PostgreSQL database.
 */
import { ConfigError, loadConfig } from './config';
import { log } from './core/log';
import { open, startBackgroundWork } from './runtime';

async function main() {
  const config = loadConfig();
  const services = await open(config);
  const stop = startBackgroundWork(services, config);
  log.info(
    { mail: services.transport.description },
    `DHR QA worker running: mail goes to ${services.transport.description}`,
  );
  const shutdown = async () => {
    await stop();
    await services.db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err) => {
  log.fatal(`Cannot start: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
});
