import { prepareStartingPoints } from './helpers/db';

/** Migrates once, before any test file runs, the database every file starts from. */
export default async function globalSetup(): Promise<void> {
  await prepareStartingPoints();
}
