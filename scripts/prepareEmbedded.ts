/**
 * Run after `npm install`: makes the copy of an empty, migrated embedded database that a new
 * data directory starts from (see src/db/embeddedImage.ts). A failure here never fails the
 * install: the app then creates its database the slower way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { connect, migrate } from '../src/db/connect';
import { imagePath } from '../src/db/embeddedImage';

async function makeStartingImage(): Promise<string> {
  const file = imagePath();
  const db = connect({});
  try {
    await migrate(db);
    const pglite = (await db.client.acquireConnection()) as { dumpDataDir(c: 'gzip'): Promise<Blob> };
    const image = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    await db.client.releaseConnection(pglite);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed, so that a start never reads half a copy (a full disk leaves none).
    const partial = `${file}.${process.pid}`;
    try {
      fs.writeFileSync(partial, image);
      fs.renameSync(partial, file);
    } finally {
      fs.rmSync(partial, { force: true });
    }
  } finally {
    await db.destroy();
  }
  return file;
}

makeStartingImage().then(
  (file) => console.log(`Prepared the embedded database's starting copy: ${file}`),
  (err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    console.log(`Could not prepare the embedded database's starting copy (${why}); a first start will take longer.`);
  },
);
