import { z } from 'zod';
import { id, isoDate, oneLine, printable, searchText, text } from '../../core/validation';
import { MAX_ID } from '../../http';
import { STATES } from '../../workflow/types';

export const newReviewSchema = (today: string) =>
  z.strictObject({
    cspId: id.optional(),
    pseudonym: oneLine(printable(text(100))),
    yearOfDeath: z
      .number({ error: 'must be a year such as 2024' })
      .int({ error: 'must be a year such as 2024' })
      .min(1950, { error: 'must be 1950 or later' })
      .max(Number(today.slice(0, 4)), { error: 'must not be in the future' })
      .nullable()
      .optional(),
    notifiedOn: isoDate.refine((d) => d <= today, { error: 'must not be in the future' }).optional(),
  });

export const listSchema = z.strictObject({
  state: z.enum(STATES, { error: `must be one of ${STATES.join(', ')}` }).optional(),
  cspId: z.coerce.number({ error: 'must be a whole number' }).pipe(id).optional(),
  meetingId: z.coerce.number({ error: 'must be a whole number' }).pipe(id).optional(),
  overdue: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  q: searchText(100).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1, { error: 'must be between 1 and 1000' })
    .max(1000, { error: 'must be between 1 and 1000' })
    .default(100),
  offset: z.coerce
    .number()
    .int()
    .min(0, { error: 'must not be negative' })
    .max(MAX_ID, { error: 'is beyond the last review' })
    .default(0),
});
