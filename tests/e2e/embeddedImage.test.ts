import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, MIGRATIONS_DIR } from '../../src/db/connect';
import { imagePath, startingImage } from '../../src/db/embeddedImage';

/**
 * `npm install` makes a copy of an empty, migrated embedded database (the postinstall script),
 * and a new data directory starts from it: a first start skips creating the cluster.
 */
jest.setTimeout(60_000);

it('makes a migrated copy at install, from which a new data directory starts with nothing left to migrate', async () => {
  const made = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/prepareEmbedded.ts'], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  expect(made.status).toBe(0);
  expect(made.stdout).toContain(`Prepared the embedded database's starting copy: ${imagePath()}`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-image-'));
  try {
    expect(startingImage(dataDir)).toBeInstanceOf(Blob);
    const db = connect({ embeddedDir: dataDir });
    try {
      const [done, pending] = await db.migrate.list({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] });
      expect(pending).toEqual([]);
      expect(done).toHaveLength(fs.readdirSync(MIGRATIONS_DIR).length);
      expect(await db('users').count('* as n')).toEqual([{ n: 0 }]);
      expect(await db('reviews').count('* as n')).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
    // The directory is a database now: opened again, it is not replaced by the copy.
    expect(startingImage(dataDir)).toBeUndefined();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
