/** The one source of "now", so tests can fix time and the workflow stays deterministic. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A moment's day in UTC, YYYY-MM-DD. A DATE column needs no such step: both engines
 * return it as that text (db/connect.ts gives them the same parsers).
 */
export function toIsoDate(value: Date): string {
  return value.toISOString().slice(0, 10);
}

/** A TIMESTAMPTZ column (a Date from both engines) as ISO 8601 text. */
export function toIso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/**
 * A timestamp built into JSON by the database ("2026-04-15T10:00:00.123+00:00")
 * as the ISO 8601 text every other timestamp is given as.
 */
export function isoFromJson(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
