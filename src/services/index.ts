/** The composition root: every service built from the database, the clock and the settings. */
import type { Db } from '../db/connect';
import { createAccounts } from './accounts';
import { systemClock, type Clock } from './clock';
import { createDirectory } from './directory';
import { createMeetings } from './meetings';
import { createReviews } from './reviews';

export interface ServiceOptions {
  clock?: Clock;
  maxUploadBytes: number;
  sessionTtlHours: number;
}

export function createServices(db: Db, options: ServiceOptions) {
  const clock = options.clock ?? systemClock;
  return {
    db,
    clock,
    accounts: createAccounts(db, clock, { sessionTtlHours: options.sessionTtlHours }),
    directory: createDirectory(db),
    meetings: createMeetings(db),
    reviews: createReviews(db, clock, { maxUploadBytes: options.maxUploadBytes }),
    maxUploadBytes: options.maxUploadBytes,
  };
}

export type Services = ReturnType<typeof createServices>;
