import { z } from 'zod';
import { CLIENT_EVENT_TYPES, DECISIONS, PANEL_VIEWS, type ClientEventType } from '../workflow/types';
import { ValidationError } from '../core/errors';
import { PAUSE_CATEGORY_KEYS } from '../clocks/stages';
import { httpUrl, id, isoDate, oneLine, optionalText, outcome, parse, printable, text } from '../core/validation';

const expectedVersion = z
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .nonnegative({ error: 'must not be negative' })
  .optional();

const area = z.strictObject({
  heading: printable(optionalText(300)).nullable().optional(),
  text: printable(text(5000)),
  points: z
    .array(printable(text(2000)), { error: 'must be a list of texts' })
    .max(50, { error: 'must have at most 50 points' })
    .optional(),
});

const outcomePayload = z
  .strictObject({
    type: z.enum(['RECORD_OUTCOME', 'AMEND_OUTCOME']),
    outcome,
    commendations: printable(optionalText(20000)).default(''),
    areas: z
      .array(area, { error: 'must be a list of {heading?, text, points?}' })
      .max(200, { error: 'must have at most 200 areas' }),
    expectedVersion,
  })
  .superRefine((value, ctx) => {
    if (value.outcome === 'publish' && value.areas.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['areas'], message: 'must be empty when the outcome is publish' });
    }
    if (value.outcome !== 'publish' && value.areas.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['areas'],
        message: `must list at least one area when the outcome is ${value.outcome}`,
      });
    }
  });

const bare = <T extends ClientEventType>(type: T) => z.strictObject({ type: z.literal(type), expectedVersion });

const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`),
  });

const SCHEMAS = {
  RECORD_DECISION: z.strictObject({
    type: z.literal('RECORD_DECISION'),
    decision: choice(DECISIONS),
    // The reason is the CSP's record, not the letter's words, so any script is kept.
    reason: text(5000),
    expectedVersion,
  }),
  // Comments go into the panel's letter: needed when it disagrees, to say why the review must be held.
  RECORD_PANEL_VIEW: z
    .strictObject({
      type: z.literal('RECORD_PANEL_VIEW'),
      view: choice(PANEL_VIEWS),
      comments: printable(optionalText(10000)).default(''),
      expectedVersion,
    })
    .superRefine((value, ctx) => {
      if (value.view === 'disagree' && value.comments === '')
        ctx.addIssue({
          code: 'custom',
          path: ['comments'],
          message: 'must say why the panel disagrees: they go into its letter',
        });
    }),
  SUBMIT: bare('SUBMIT'),
  SCHEDULE: z.strictObject({ type: z.literal('SCHEDULE'), meetingId: id, expectedVersion }),
  RECORD_OUTCOME: outcomePayload,
  AMEND_OUTCOME: outcomePayload,
  SEND_LETTER: bare('SEND_LETTER'),
  RESPOND_TO_ITEM: z.strictObject({
    type: z.literal('RESPOND_TO_ITEM'),
    itemId: id,
    response: text(10000),
    reportReference: optionalText(300).nullable().optional(),
    expectedVersion,
  }),
  SUBMIT_REVISIONS: bare('SUBMIT_REVISIONS'),
  ACCEPT_ITEM: z.strictObject({ type: z.literal('ACCEPT_ITEM'), itemId: id, expectedVersion }),
  RETURN_ITEM: z.strictObject({ type: z.literal('RETURN_ITEM'), itemId: id, reason: text(5000), expectedVersion }),
  CONFIRM_REVISIONS: bare('CONFIRM_REVISIONS'),
  CLOSE: bare('CLOSE'),
  RECORD_PUBLICATION: z.strictObject({
    type: z.literal('RECORD_PUBLICATION'),
    url: httpUrl,
    publishedOn: isoDate,
    expectedVersion,
  }),
  PAUSE: z.strictObject({
    type: z.literal('PAUSE'),
    // Why, from the list the stage clocks and national figures count by; the reason says more.
    category: z.enum(PAUSE_CATEGORY_KEYS, {
      error: (issue) =>
        issue.input === undefined ? 'is required' : `must be one of ${PAUSE_CATEGORY_KEYS.join(', ')}`,
    }),
    reason: text(2000),
    // The reason may be about a trial or a family: the CSP and the PCC see it only when the secretariat says so.
    shareReason: z.boolean({ error: 'must be true or false' }).optional(),
    expectedVersion,
  }),
  RESUME: bare('RESUME'),
  WITHDRAW: z.strictObject({ type: z.literal('WITHDRAW'), reason: text(2000), expectedVersion }),
  REINSTATE: z.strictObject({ type: z.literal('REINSTATE'), reason: text(2000), expectedVersion }),
  REMOVE_DOCUMENT: z.strictObject({ type: z.literal('REMOVE_DOCUMENT'), documentId: id, expectedVersion }),
  // The review's details as the form holds them; that no date or year is in the future is checked against the clock.
  EDIT_DETAILS: z.strictObject({
    type: z.literal('EDIT_DETAILS'),
    pseudonym: oneLine(printable(text(100))),
    yearOfDeath: z
      .number({ error: 'must be a year such as 2024' })
      .int({ error: 'must be a year such as 2024' })
      .min(1950, { error: 'must be 1950 or later' })
      .nullable(),
    notifiedOn: isoDate,
    expectedVersion,
  }),
} satisfies Record<ClientEventType, z.ZodType>;

export type ClientEvent = { [K in ClientEventType]: z.infer<(typeof SCHEMAS)[K]> }[ClientEventType];

export function isClientEventType(type: string): type is ClientEventType {
  return (CLIENT_EVENT_TYPES as readonly string[]).includes(type);
}

/** Validates a client's event: first its type, then the payload that type needs. */
export function parseClientEvent(input: unknown): ClientEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw ValidationError.field('body', 'must be a JSON object with a "type"');
  }
  const type = (input as { type?: unknown }).type;
  if (type === undefined) throw ValidationError.field('type', 'is required');
  if (typeof type !== 'string' || !isClientEventType(type)) {
    throw ValidationError.field('type', `must be one of ${CLIENT_EVENT_TYPES.join(', ')}`);
  }
  return parse(SCHEMAS[type], input) as ClientEvent;
}
