/**
 * What the reviews are called. The Victims and Prisoners Act 2024, s.19, renames Domestic
 * Homicide Reviews "Domestic Abuse Related Death Reviews": the secretariat switches the name in
 * the settings on the day it comes into force, and every letter and email says it from then on.
 */
export const REVIEW_KINDS = {
  dhr: { reviewKind: 'Domestic Homicide Review', reviewKindShort: 'DHR' },
  dardr: { reviewKind: 'Domestic Abuse Related Death Review', reviewKindShort: 'DARDR' },
} as const;
export type ReviewKind = keyof typeof REVIEW_KINDS;
export const REVIEW_KIND_KEYS = Object.keys(REVIEW_KINDS) as [ReviewKind, ...ReviewKind[]];

/** The placeholders every template may use for the name, from the setting. */
export const reviewKindValues = (kind: ReviewKind) => REVIEW_KINDS[kind] ?? REVIEW_KINDS.dhr;
