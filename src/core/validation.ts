import { z } from 'zod';
import { describeCharacters, unprintableCharacters } from '../letters/fonts';
import { DOCUMENT_KINDS, OUTCOMES, ROLES } from '../workflow/types';
import { MAX_ID } from '../http';
import { isCommonPassword } from './commonPasswords';
import { ValidationError, type FieldError } from './errors';

/** Parses input with a schema or throws a ValidationError naming each field and what is wrong. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(toFieldErrors(result.error));
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      // An empty key still needs a name the caller can recognise.
      return issue.keys
        .map((key) => (key === '' ? '""' : key))
        .map((key) => ({ field: at ? `${at}.${key}` : key, message: 'is not a known field' }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return [{ field: at || 'body', message: 'is required' }];
    }
    return [{ field: at || 'body', message: issue.message }];
  });
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Half of a surrogate pair (a broken emoji): PostgreSQL refuses it inside JSON columns. */
const LONE_SURROGATE = /\p{Cs}/u;
const BROKEN = 'must not contain broken characters (such as half of an emoji)';

/** Free text a person typed: trimmed, bounded, no control characters other than line breaks and tabs. */
export const text = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s), { error: 'must not contain control characters' })
    .refine((s) => !LONE_SURROGATE.test(s), { error: BROKEN });

/**
 * Text that goes into letters (a pseudonym, an address, the panel's areas): it must be
 * printable in the letters' PDF, so that a letter is never garbled and never stuck unsent.
 */
/** A name on one line (a pseudonym heads letters and subjects): no line breaks or tabs. */
export const oneLine = <S extends z.ZodType<string>>(schema: S) =>
  schema.refine((value) => !/[\r\n\t]/.test(value), { error: 'must be on one line' });

export const printable = <S extends z.ZodType<string>>(schema: S) =>
  schema.superRefine((value, ctx) => {
    const bad = unprintableCharacters(value);
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must use only characters letters can print: ${describeCharacters(bad)} cannot be printed`,
      });
    }
  });

/** Like text() but may be left empty. */
export const optionalText = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s), { error: 'must not contain control characters' })
    .refine((s) => !LONE_SURROGATE.test(s), { error: BROKEN });

export const id = z
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be positive' })
  // Beyond this no record has an id: PostgreSQL's integer stops here.
  .max(MAX_ID, { error: 'is not the id of any record' });

/** A search term typed into a filter: text without control or broken characters. */
/** A search term as a LIKE pattern that matches it anywhere, its own % and _ taken literally. */
export const containing = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const searchText = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s) && !LONE_SURROGATE.test(s), {
      error: 'must not contain control or broken characters',
    });

/** A calendar date written YYYY-MM-DD. */
export const isoDate = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' })
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { error: 'is not a real calendar date' },
  )
  // Nothing in a review happens before 1900 or after 2100; year 0000 is a typing slip.
  .refine((s) => s >= '1900-01-01' && s <= '2100-12-31', { error: 'must be a date between 1900 and 2100' });

export const email = z
  .string({ error: 'must be an email address' })
  .trim()
  .max(254, { error: 'must be at most 254 characters' })
  .pipe(z.email({ error: 'must be an email address such as name@example.org' }));

export const httpUrl = z
  .string({ error: 'must be a web address' })
  .trim()
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
      } catch {
        return false;
      }
    },
    { error: 'must be a web address starting with http:// or https://' },
  );

export const password = z
  .string({ error: 'must be text' })
  .min(12, { error: 'must be at least 12 characters' })
  .max(200, { error: 'must be at most 200 characters' })
  // A short password already has its message: one problem at a time.
  .refine((p) => p.length < 12 || !isCommonPassword(p), {
    error: 'is one of the passwords people use most, which are guessed first: choose another',
  });

export const role = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });
export const outcome = z.enum(OUTCOMES, { error: `must be one of ${OUTCOMES.join(', ')}` });
export const documentKind = z.enum(DOCUMENT_KINDS, { error: `must be one of ${DOCUMENT_KINDS.join(', ')}` });
