import fs from 'node:fs';
import path from 'node:path';

/** The real documents the product comes from, kept with the tests so a clone needs nothing beside it. */
export const SEEDS = path.join(__dirname, '..', 'fixtures', 'seeds');

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

/** A seed document's text. */
export function seed(file: string): string {
  return fs.readFileSync(path.join(SEEDS, file), 'utf8');
}

/** The recommendation numbers of the Hackney DHR Library page, in order, as that page lists them. */
export const HACKNEY_NUMBERS = [
  '1',
  '2a',
  '2b',
  '2c',
  '2d',
  '2e',
  '3',
  '4',
  '5',
  'IMR.1',
  'IMR.2',
  'IMR.3',
  'IPCC.1',
  'IPCC.2',
  'IPCC.3',
  'IPCC.4',
  'Panel.179',
];
