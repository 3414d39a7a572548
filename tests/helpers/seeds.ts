import fs from 'node:fs';
import path from 'node:path';

export const SEEDS = path.join(__dirname, '..', '..', '..', 'shared', 'seeds');

/** The twelve "areas of final development" of the Kent letter, each whole even where the page broke it. */
export function kentAreas(): string[] {
  const letter = fs.readFileSync(path.join(SEEDS, 'kent-qa-panel-feedback-letter-2020.txt'), 'utf8');
  const body = letter.slice(letter.indexOf('Areas of final development'), letter.indexOf('Once completed'));
  const areas: string[] = [];
  for (const line of body.split('\n').slice(1)) {
    if (line.startsWith('- ')) areas.push(line.slice(2).trim());
    else if (line.trim() && areas.length) areas[areas.length - 1] += ` ${line.trim()}`;
  }
  return areas;
}
