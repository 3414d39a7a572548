import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import { copyOf, processCache, versionOf } from '../db/cacheVersions';
import { DATE_STYLES, type DateStyle } from '../core/dates';
import { AREA_STYLES, type AreaStyle } from '../letters/draft';
import { REVIEW_KIND_KEYS, type ReviewKind } from '../letters/reviewKinds';
import type { User } from '../core/user';
import { ForbiddenError } from '../core/errors';
import { email, optionalText, parse, printable, text } from '../core/validation';

/** What the secretariat can change without a release: who signs letters, where replies go, the house style. (When reminders go is the stage targets', src/clocks.) */
export interface Settings {
  signatoryName: string;
  signatoryTitle: string;
  /** The letterhead's title, such as "Home Office"; empty for a letterhead of address lines alone. */
  letterheadTitle: string;
  /** The letterhead's lines: the Home Office address, and a telephone number or web address if wanted. */
  homeOfficeAddress: string[];
  dhrMailbox: string;
  /** Where hand-offs to the secretariat go (a report or revisions submitted, a publication recorded, an email undelivered); empty for the DHR mailbox. */
  teamMailbox: string;
  /** House style: the panel's areas numbered (1, 2a) or bulleted. */
  areaStyle: AreaStyle;
  /** House style: "6 September 2023" or "6th September 2023". */
  dateStyle: DateStyle;
  /** House style: whether the CSP's name is a line of the addressee's address. */
  addressIncludesCsp: boolean;
  /** Every role signs in with a second factor, not only the secretariat and the panel. */
  twoFactorForEveryone: boolean;
  /** Where the Domestic Abuse Commissioner receives final reports; empty until the secretariat sets it. */
  commissionerMailbox: string;
  /** What the reviews are called in every letter and email (see src/letters/reviewKinds.ts). */
  reviewKind: ReviewKind;
  /** Days an organisation has to respond to a recommendation assigned to it (as a coroner's Prevention of Future Deaths report allows 56). */
  recommendationResponseDays: number;
}

export const DEFAULT_SETTINGS: Settings = {
  signatoryName: 'Chair of the Quality Assurance Panel',
  signatoryTitle: 'Home Office Domestic Homicide Review Quality Assurance Panel',
  letterheadTitle: 'Home Office',
  homeOfficeAddress: ['Public Protection Unit', '2 Marsham Street', 'London', 'SW1P 4DF'],
  dhrMailbox: 'dhr-enquiries@dhr-qa.example',
  teamMailbox: '',
  areaStyle: 'numbered',
  dateStyle: 'plain',
  addressIncludesCsp: true,
  twoFactorForEveryone: false,
  commissionerMailbox: '',
  reviewKind: 'dhr',
  recommendationResponseDays: 56,
};

const settingsSchema = z
  .strictObject({
    signatoryName: printable(text(200)),
    signatoryTitle: printable(text(300)),
    letterheadTitle: printable(optionalText(100)),
    homeOfficeAddress: z
      .array(printable(text(200)))
      .min(1, { error: 'must have at least one line' })
      .max(8, { error: 'must have at most 8 lines' }),
    dhrMailbox: email,
    teamMailbox: z.literal('').or(email),
    areaStyle: z.enum(AREA_STYLES, { error: `must be one of ${AREA_STYLES.join(', ')}` }),
    dateStyle: z.enum(DATE_STYLES, { error: `must be one of ${DATE_STYLES.join(', ')}` }),
    addressIncludesCsp: z.boolean({ error: 'must be true or false' }),
    twoFactorForEveryone: z.boolean({ error: 'must be true or false' }),
    commissionerMailbox: z.literal('').or(email),
    reviewKind: z.enum(REVIEW_KIND_KEYS, { error: `must be one of ${REVIEW_KIND_KEYS.join(', ')}` }),
    recommendationResponseDays: z
      .number({ error: 'must be a number of days' })
      .int({ error: 'must be a number of days' })
      .min(7, { error: 'must be at least 7 days' })
      .max(365, { error: 'must be at most 365 days' }),
  })
  .partial();

/** The secretariat's team mailbox: the setting, or the DHR mailbox when it is not set. */
export const teamMailboxOf = (settings: Settings) => settings.teamMailbox || settings.dhrMailbox;

/**
 * The settings, kept in the process (see src/db/cacheVersions.ts): a page or an API call reads
 * them from the database only when its session lookup saw that they changed since they were
 * read, whichever instance changed them.
 */
export function createSettings(db: Db) {
  const cache = processCache(db, 'settings', async (conn) => {
    const { rows } = await conn.raw(
      `select v.version, s.key, s.value from (select ${versionOf('settings')} as version) v left join settings s on true`,
    );
    const stored = Object.fromEntries(
      (rows as { key: string | null; value: unknown }[]).filter((r) => r.key !== null).map((r) => [r.key, r.value]),
    );
    return { value: { ...DEFAULT_SETTINGS, ...stored } as Settings, version: Number(rows[0]?.version ?? 0) };
  });

  return {
    async get(conn: Conn = db): Promise<Settings> {
      // A copy: a caller that changes what it is given changes nothing for the next one.
      return copyOf(await cache.get(conn));
    },

    async update(user: User, input: unknown): Promise<Settings> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can change settings');
      const changes = parse(settingsSchema, input);
      try {
        await db.transaction(async (trx) => {
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined) continue; // left out: unchanged
            await trx('settings')
              .insert({ key, value: JSON.stringify(value), updated_at: new Date() })
              .onConflict('key')
              .merge();
          }
        });
      } finally {
        cache.forget();
      }
      return this.get();
    },
  };
}

export type SettingsService = ReturnType<typeof createSettings>;
