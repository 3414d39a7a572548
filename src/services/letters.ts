import crypto from 'node:crypto';
import { reviewKindValues } from '../letters/reviewKinds';
import type { Settings } from './settings';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import {
  BLOCKS,
  OUTCOME_KINDS,
  PANEL_LETTER_KINDS,
  type BlockName,
  type EmailName,
  type LetterKind,
} from '../letters/catalogue';
import {
  addressingFor,
  feedbackPdfName,
  panelLetterName,
  fileName,
  makeDraft,
  renderLetter,
  type Contact,
  type LetterFacts,
} from '../letters/compose';
import {
  editableText,
  paragraphHtml,
  paragraphStatus,
  PARAGRAPH_TAGS,
  type Addressing,
  type Draft,
  type LetterContext,
  type Paragraph,
  type Part,
} from '../letters/draft';
import { longDate } from '../core/dates';
import { describeCharacters, unprintableCharacters } from '../letters/fonts';
import { letterPdfOffThread, pdfForUser } from '../offThread';
import type { Outbox } from '../mail/outbox';
import type { Outcome } from '../workflow/types';
import type { User } from '../core/user';
import { toIso, toIsoDate, type Clock } from '../core/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import type { HouseTemplates } from './houseTemplates';
import { isHomeOffice, visibleReviews } from '../core/scope';
import type { SettingsService } from './settings';
import { isoDate, optionalText, parse, printable, text } from '../core/validation';

export interface LetterRow {
  id: number;
  review_id: number;
  round_id: number | null;
  kind: LetterKind;
  status: 'draft' | 'sent';
  fields: Partial<Draft> & LegacyFields;
  template_version: number | null;
  html: string | null;
  text: string | null;
  pdf: Buffer | null;
  html_sha256: string | null;
  text_sha256: string | null;
  pdf_sha256: string | null;
  sent_at: Date | null;
}

/** What drafts made before house templates kept: a salutation and an extra paragraph. */
interface LegacyFields {
  salutation?: string;
  extraParagraph?: string;
}

const lines = (max: number) =>
  z
    .array(printable(text(200)), { error: 'must be a list of lines' })
    .max(max, { error: `must have at most ${max} lines` });

const partInput = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('block'),
      name: z.enum(Object.keys(BLOCKS) as [BlockName, ...BlockName[]], {
        error: 'must name one of the letter’s blocks',
      }),
    }),
    z.strictObject({ type: z.literal('fixed'), id: z.number().int().positive() }),
    z.strictObject({
      type: z.literal('paragraph'),
      id: z.number({ error: 'must be a whole number' }).int().positive().optional(),
      tag: z.enum(PARAGRAPH_TAGS, { error: `must be one of ${PARAGRAPH_TAGS.join(', ')}` }).optional(),
      text: printable(text(5000)),
    }),
  ],
  { error: 'must be {type: "block", name}, {type: "fixed", id} or {type: "paragraph", id?, text}' },
);

const updateSchema = z
  .strictObject({
    date: isoDate.nullable(),
    addressee: z.strictObject({
      name: printable(text(200)),
      jobTitle: printable(optionalText(200)).default(''),
      lines: lines(8),
    }),
    salutation: printable(text(200)),
    signatory: z.strictObject({ name: printable(text(200)), title: printable(text(300)) }),
    content: z.array(partInput, { error: 'must be a list of the letter’s parts' }).max(300, {
      error: 'must have at most 300 parts',
    }),
    readdress: z.literal(true, { error: 'must be true to re-address the draft' }),
  })
  .partial();

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** The email that carries each kind of letter. */
const EMAIL_FOR: Record<LetterKind, EmailName> = {
  publish: 'outcome_letter',
  publish_after_changes: 'outcome_letter',
  resubmit: 'outcome_letter',
  acknowledgement: 'acknowledgement',
  revision_reminder: 'revision_reminder',
  publication_reminder: 'publication_reminder',
  publication_confirmation: 'publication_confirmation',
  review_decision: 'decision_letter',
};

const addressingOf = (d: Draft): Addressing => ({
  letterhead: d.letterhead,
  addressee: d.addressee,
  salutation: d.salutation,
  signatory: d.signatory,
  style: d.style,
});

/** What changed in the contact or the settings since a draft was addressed, in words. */
function addressingChanges(from: Addressing, now: Addressing): string[] {
  // jsonb keeps keys in its own order, so compare values, not their JSON.
  const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);
  const changes: string[] = [];
  if (!same(from.addressee, now.addressee)) changes.push("the addressee's name, job title or address");
  if (!same(from.signatory, now.signatory)) changes.push('the signatory');
  if (!same(from.letterhead, now.letterhead)) changes.push('the letterhead');
  if (!same(from.style, now.style)) changes.push('the house style');
  return changes;
}

/**
 * A review's CSP, the addressee of its letters and its PCC, as JSON: `reviewId` is the SQL
 * expression naming the review. The review's events read it with the review (one statement).
 */
export const RECIPIENTS_SQL = (reviewId: string) =>
  `(select json_build_object('reference', rr.reference, 'pseudonym', rr.pseudonym, 'csp_name', rc.name,
       'address_lines', rc.address_lines, 'contacts', rc.contacts, 'area', rp.name, 'pcc_name', rp.pcc_name,
       'pcc_email', rp.pcc_email)
      from reviews rr join csps rc on rc.id = rr.csp_id join police_force_areas rp on rp.id = rc.police_force_area_id
     where rr.id = ${reviewId})`;

export interface RecipientsRow {
  reference: string;
  pseudonym: string;
  csp_name: string;
  address_lines: string[];
  contacts: Contact[];
  area: string;
  pcc_name: string | null;
  pcc_email: string | null;
}

/** Who a letter goes to, refusing when it could not reach them. */
export function recipientsOf(row: RecipientsRow) {
  const contacts = row.contacts;
  if (contacts.length === 0) {
    throw new ConflictError(`${row.csp_name} has no contact to address letters to; add one to the CSP first`);
  }
  return {
    reference: row.reference,
    pseudonym: row.pseudonym,
    csp: { name: row.csp_name, addressLines: row.address_lines },
    contact: contacts[0]!,
    contacts,
    area: row.area,
    pccName: row.pcc_name ?? `Police and Crime Commissioner for ${row.area}`,
    pccEmail: row.pcc_email,
  };
}

export type Recipients = ReturnType<typeof recipientsOf>;

/** A round as its letter shows it (its number, meeting, commendations and areas), as JSON: `roundId` is an SQL expression. */
export const ROUND_SQL = (roundId: string) =>
  `(select json_build_object('number', ro.number, 'commendations', ro.commendations, 'meeting_date', m.date,
       'items', (select coalesce(json_agg(json_build_object('heading', i.heading, 'text', i.text, 'points', i.points,
                   'note', i.note, 'status', i.status) order by i.position), '[]'::json)
                   from revision_items i where i.round_id = ro.id))
      from rounds ro left join panel_meetings m on m.id = ro.panel_meeting_id where ro.id = ${roundId})`;

export interface RoundRow {
  number: number;
  commendations: string;
  meeting_date: string | null;
  items: { heading: string | null; text: string; points: string[] | null; note: string | null; status: string }[];
}

export interface RoundContext {
  number: number;
  commendations: string;
  meetingDate: string | undefined;
  items: { heading: string | null; text: string; points: string[]; note: string | null; status: string }[];
}

export const roundOfRow = (round: RoundRow): RoundContext => ({
  number: round.number,
  commendations: round.commendations,
  meetingDate: round.meeting_date ?? undefined,
  items: round.items as RoundContext['items'],
});

/** A letter as visibleLetter reads it. */
type VisibleLetter = LetterRow & {
  round: number | null;
  review_reference: string;
  review_pseudonym: string;
  draft_recipients: RecipientsRow | null;
  draft_round: RoundRow | null;
};

/** What a review's event already read, handed to the letters so that they need not read it again. */
export interface KnownForLetter {
  who?: Recipients;
  /** The round the letter is of, with its id. */
  round?: RoundContext & { id: number };
  /** The round's draft letter, when the caller read it; null when it has none. */
  draft?: LetterRow | null;
}

export function createLetters(
  db: Db,
  clock: Clock,
  settings: SettingsService,
  outbox: Outbox,
  templates: HouseTemplates,
) {
  /** The CSP, its letters' addressee and its PCC, refusing when a letter could not reach them. */
  async function recipients(conn: Conn, reviewId: number) {
    const { rows } = await conn.raw(`select ${RECIPIENTS_SQL('?')} as who`, [reviewId]);
    return recipientsOf(rows[0].who as RecipientsRow);
  }

  async function roundOf(conn: Conn, roundId: number): Promise<RoundContext> {
    const { rows } = await conn.raw(`select ${ROUND_SQL('?')} as round`, [roundId]);
    return roundOfRow(rows[0].round as RoundRow);
  }

  const factsOf = (
    kind: LetterKind,
    who: Recipients,
    s: Pick<Settings, 'dhrMailbox' | 'reviewKind'>,
    extra: Partial<LetterFacts> = {},
  ) => ({
    kind,
    reference: who.reference,
    pseudonym: who.pseudonym,
    cspName: who.csp.name,
    pccName: who.pccName,
    dhrMailbox: s.dhrMailbox,
    ...reviewKindValues(s.reviewKind),
    ...extra,
  });

  /** The draft of a letter; one drafted before house templates is drafted now from the current template. */
  async function draftOf(conn: Conn, letter: LetterRow, who?: Recipients): Promise<Draft> {
    if (letter.fields.parts) return letter.fields as Draft;
    const recipient = who ?? (await recipients(conn, letter.review_id));
    const s = await settings.get(conn);
    const round = letter.round_id ? await roundOf(conn, letter.round_id) : null;
    const template = (await templates.current(conn, [letter.kind])).get(letter.kind)!;
    const draft = makeDraft(
      template,
      factsOf(letter.kind, recipient, s, { meetingDate: round?.meetingDate, round: round?.number }),
      addressingFor(recipient.csp, recipient.contact, s),
    );
    if (letter.fields.salutation) draft.salutation = letter.fields.salutation;
    if (letter.fields.extraParagraph) {
      const before = draft.parts.findIndex((p) => p.type === 'paragraph' && p.className === 'signoff');
      draft.parts.splice(before < 0 ? draft.parts.length : before, 0, {
        type: 'paragraph',
        id: Math.max(0, ...draft.parts.map((p) => ('id' in p ? p.id : 0))) + 1,
        tag: 'p',
        className: null,
        html: paragraphHtml(letter.fields.extraParagraph),
        origin: null,
      });
    }
    return draft;
  }

  /** What the letter shows beyond its draft: the round's commendations and areas, and the day. */
  async function contextOf(
    conn: Conn,
    letter: LetterRow,
    today: string,
    known?: KnownForLetter,
  ): Promise<LetterContext> {
    const context: LetterContext = { today };
    if (letter.round_id && OUTCOME_KINDS.includes(letter.kind)) {
      const round = known?.round?.id === letter.round_id ? known.round : await roundOf(conn, letter.round_id);
      context.commendations = round.commendations;
      context.areas = round.items;
    }
    const { outstanding, comments } = letter.fields as Pick<LetterContext, 'outstanding' | 'comments'>;
    if (outstanding) context.outstanding = outstanding;
    if (comments !== undefined) context.comments = comments;
    return context;
  }

  /** A letter drafted now from the current template, for the review's recipients. */
  async function freshDraft(conn: Conn, kind: LetterKind, who: Recipients, facts: Partial<LetterFacts> = {}) {
    const s = await settings.get(conn);
    const template = (await templates.current(conn, [kind])).get(kind)!;
    return makeDraft(template, factsOf(kind, who, s, facts), addressingFor(who.csp, who.contact, s));
  }

  /** A letter cannot be dated before the panel meeting it reports. */
  async function checkedDate(conn: Conn, letter: LetterRow, date: string | null): Promise<string | null> {
    if (date === null || !letter.round_id) return date;
    const { meetingDate } = await roundOf(conn, letter.round_id);
    if (meetingDate && date < meetingDate) {
      throw ValidationError.field('date', `must be on or after the panel meeting of ${longDate(meetingDate)}`);
    }
    return date;
  }

  const pdfTitle = (reference: string, pseudonym: string, kind: LetterKind) =>
    `${reference} (${pseudonym}) ${PANEL_LETTER_KINDS.includes(kind) ? panelLetterName(kind) : kind.replace(/_/g, ' ')}`;

  /** Refuses, before anything is frozen, a letter whose PDF would garble some of its characters. */
  function assertPrintable(text: string) {
    const bad = unprintableCharacters(text);
    if (bad.length) {
      throw new ConflictError(
        `The letter cannot be sent: its PDF cannot print ${describeCharacters(bad)}. Change the text that contains ${bad.length === 1 ? 'it' : 'them'} and try again.`,
      );
    }
  }

  /**
   * Fixes a letter's words for good: HTML, text and PDF with their SHA-256 (the columns the
   * letter is written with) and the email that carries it. The caller writes both, in one
   * statement.
   */
  async function freeze(conn: Conn, letter: LetterRow, userId: number | null, now: Date, known: KnownForLetter = {}) {
    const who = known.who ?? (await recipients(conn, letter.review_id));
    const draft = await draftOf(conn, letter, who);
    const today = toIsoDate(now);
    if (draft.date && draft.date > today) {
      throw new ConflictError(
        `The letter is dated ${longDate(draft.date)}, which is after today. Change its date, or leave it empty to date it the day it is sent.`,
      );
    }
    const { html, text: plain } = renderLetter(draft, await contextOf(conn, letter, today, known));
    const title = pdfTitle(who.reference, who.pseudonym, letter.kind);
    const outcome = PANEL_LETTER_KINDS.includes(letter.kind);
    // A feedback letter goes out as a PDF, so it waits until every character can be printed.
    // The letters the service sends by itself carry no PDF: one that could not be printed
    // keeps its HTML and text and has none, rather than holding up a submission or a reminder.
    const printable = unprintableCharacters(`${plain}\n${title}`).length === 0;
    if (outcome) assertPrintable(`${plain}\n${title}`);
    const pdf = printable ? await letterPdfOffThread(html, { title, date: draft.date ?? today }) : null;
    const name = EMAIL_FOR[letter.kind];
    const { dhrMailbox } = await settings.get(conn);
    const email = await templates.renderEmail(
      conn,
      name,
      { reference: who.reference, pseudonym: who.pseudonym, cspName: who.csp.name, pccName: who.pccName },
      { letter: { html, text: plain } },
    );
    return {
      columns: {
        status: 'sent',
        fields: JSON.stringify(draft),
        template_version: draft.template.version,
        html,
        text: plain,
        pdf,
        html_sha256: sha256(html),
        text_sha256: sha256(plain),
        pdf_sha256: pdf ? sha256(pdf) : null,
        sent_by: userId,
        sent_at: now,
        updated_at: now,
      },
      /** The email, as the outbox queues it; the letter's id is the outbox row's (see `withLetter`). */
      mail: outbox.rowOf({
        kind: letter.kind,
        reviewId: letter.review_id,
        letterId: null,
        template: name,
        to: who.contacts.map((c) => c.email),
        cc: outcome && who.pccEmail ? [who.pccEmail] : [],
        replyTo: dhrMailbox,
        ...email,
        attachLetter: outcome,
      }),
    };
  }

  /** A draft's round as visibleLetter read it, for contextOf. */
  const knownRound = (letter: VisibleLetter): KnownForLetter =>
    letter.draft_round && letter.round_id !== null
      ? { round: { ...roundOfRow(letter.draft_round), id: letter.round_id } }
      : {};

  /**
   * A letter the user may see, with its review's reference and pseudonym and, for a draft,
   * what showing it needs (its recipients and its round), in one statement.
   */
  async function visibleLetter(user: User, letterId: number): Promise<VisibleLetter> {
    const row = await visibleReviews(db, user)
      .join('letters as l', 'l.review_id', 'r.id')
      .leftJoin('rounds as ro', 'ro.id', 'l.round_id')
      .where('l.id', letterId)
      .first(
        'l.*',
        'ro.number as round',
        'r.reference as review_reference',
        'r.pseudonym as review_pseudonym',
        db.raw(`case when l.status = 'draft' then ${RECIPIENTS_SQL('l.review_id')} end as draft_recipients`),
        db.raw(`case when l.status = 'draft' then ${ROUND_SQL('l.round_id')} end as draft_round`),
      );
    // Drafts are the Home Office's working papers until they are sent.
    if (!row || (row.status === 'draft' && !isHomeOffice(user))) throw new NotFoundError('No letter with this id');
    return row;
  }

  /** A draft's parts as the page and the API show them: each paragraph's text and how it departs from the template. */
  function describeParts(draft: Draft) {
    return draft.parts.map((part) =>
      part.type === 'paragraph'
        ? {
            type: 'paragraph' as const,
            id: part.id,
            tag: part.tag,
            text: editableText(part.html),
            status: paragraphStatus(part),
            template: part.origin === null ? null : editableText(part.origin),
          }
        : part.type === 'fixed'
          ? { type: 'fixed' as const, id: part.id, text: editableText(part.html) }
          : { type: 'block' as const, name: part.name },
    );
  }

  async function describe(letter: VisibleLetter) {
    const base = {
      id: letter.id,
      kind: letter.kind,
      reviewId: letter.review_id,
      round: letter.round,
      status: letter.status,
      sentAt: toIso(letter.sent_at),
    };
    if (letter.status === 'sent') {
      return {
        ...base,
        html: letter.html!,
        text: letter.text!,
        template: letter.fields.template ?? null,
        hasPdf: letter.pdf_sha256 !== null,
        sha256: { html: letter.html_sha256, text: letter.text_sha256, pdf: letter.pdf_sha256 },
        draft: null,
      };
    }
    const who = letter.draft_recipients
      ? recipientsOf(letter.draft_recipients)
      : await recipients(db, letter.review_id);
    const draft = await draftOf(db, letter, who);
    const today = toIsoDate(clock.now());
    const { html, text: plain } = renderLetter(draft, await contextOf(db, letter, today, knownRound(letter)));
    const now = addressingFor(who.csp, who.contact, await settings.get());
    const changes = addressingChanges(draft.addressedFrom, now);
    return {
      ...base,
      html,
      text: plain,
      template: draft.template,
      hasPdf: true,
      sha256: null,
      draft: {
        date: draft.date,
        addressee: draft.addressee,
        salutation: draft.salutation,
        signatory: draft.signatory,
        letterhead: draft.letterhead,
        style: draft.style,
        content: describeParts(draft),
        removed: draft.removed.map((p) => ({ id: p.id, tag: p.tag, text: editableText(p.html) })),
        setAside: draft.setAside,
        // The contact or the settings moved on since the draft was addressed: offer, never impose.
        readdress: changes.length ? { changes, ...now } : null,
        unprintable: unprintableCharacters(plain),
        // Where it will go when sent, as `freeze` addresses it: shown before anyone presses Send.
        delivery: {
          to: who.contacts.map((c) => c.email),
          cc: OUTCOME_KINDS.includes(letter.kind) && who.pccEmail ? [who.pccEmail] : [],
          attachment: PANEL_LETTER_KINDS.includes(letter.kind)
            ? feedbackPdfName(who.reference, who.pseudonym, letter.kind)
            : null,
        },
      },
    };
  }

  /** The draft with the client's content: its blocks kept in order, paragraphs edited, added or removed. */
  function withContent(draft: Draft, content: NonNullable<z.infer<typeof updateSchema>['content']>): Draft {
    const fixed = (parts: { type: string; name?: string; id?: number }[]) =>
      parts.filter((p) => p.type !== 'paragraph').map((p) => (p.type === 'block' ? p.name : `fixed text ${p.id}`));
    const sent = fixed(content);
    const kept = fixed(draft.parts);
    if (sent.length !== kept.length || sent.some((name, i) => name !== kept[i])) {
      throw ValidationError.field(
        'content',
        `must keep the letter's blocks in their order (${kept.join(', ')}); only paragraphs can be added, changed or removed`,
      );
    }
    const known = new Map<number, Paragraph>();
    for (const p of [...draft.parts, ...draft.removed]) if (p.type === 'paragraph') known.set(p.id, p);
    let nextId = Math.max(0, ...[...draft.parts, ...draft.removed].map((p) => ('id' in p ? p.id : 0)));
    const used = new Set<number>();
    const parts: Part[] = content.map((entry, i) => {
      if (entry.type === 'block') return { type: 'block', name: entry.name } as Part;
      if (entry.type === 'fixed') return draft.parts.find((p) => p.type === 'fixed' && p.id === entry.id)!;
      if (entry.id !== undefined) {
        const before = known.get(entry.id);
        if (!before) throw ValidationError.field(`content.${i}.id`, 'is not a paragraph of this letter');
        if (used.has(entry.id)) throw ValidationError.field(`content.${i}.id`, 'names a paragraph twice');
        used.add(entry.id);
        // Text left as it was keeps the template's markup (a bold phrase, an underlined address).
        const html = entry.text === editableText(before.html) ? before.html : paragraphHtml(entry.text);
        return { ...before, tag: entry.tag ?? before.tag, html };
      }
      return {
        type: 'paragraph',
        id: ++nextId,
        tag: entry.tag ?? 'p',
        className: null,
        html: paragraphHtml(entry.text),
        origin: null,
      };
    });
    // Template paragraphs no longer in the letter are kept aside so that they can be put back.
    const removed = [...known.values()].filter((p) => !used.has(p.id) && p.origin !== null);
    return { ...draft, parts, removed };
  }

  return {
    /**
     * The draft letter of a round just recorded, or of one whose outcome was corrected.
     * A correction that keeps the outcome keeps the draft and its edits (the areas and
     * commendations it shows come from the round). A new outcome means a new letter:
     * drafted afresh from its template, its addressing kept, and any paragraph the
     * secretariat wrote or changed set aside on the draft rather than lost.
     */
    async draft(trx: Conn, reviewId: number, roundId: number, outcome: Outcome, now: Date, known: KnownForLetter = {}) {
      const existing: LetterRow | undefined =
        known.draft !== undefined
          ? (known.draft ?? undefined)
          : await trx('letters').where({ round_id: roundId, status: 'draft' }).first();
      if (existing && existing.kind === outcome && existing.fields.parts) return;
      const who = known.who ?? (await recipients(trx, reviewId));
      const s = await settings.get(trx);
      const round = known.round?.id === roundId ? known.round : await roundOf(trx, roundId);
      const template = (await templates.current(trx, [outcome])).get(outcome)!;
      const facts = factsOf(outcome, who, s, { meetingDate: round.meetingDate, round: round.number });
      if (!existing) {
        const draft = makeDraft(template, facts, addressingFor(who.csp, who.contact, s));
        await trx('letters').insert({
          review_id: reviewId,
          round_id: roundId,
          kind: outcome,
          status: 'draft',
          fields: JSON.stringify(draft),
          template_version: template.version,
          created_at: now,
          updated_at: now,
        });
        return;
      }
      const before = await draftOf(trx, existing, who);
      const draft: Draft = {
        ...makeDraft(template, facts, addressingOf(before), before.date),
        addressedFrom: before.addressedFrom,
        setAside: [
          ...before.setAside,
          ...before.parts
            .filter((p): p is Paragraph => p.type === 'paragraph' && paragraphStatus(p) !== 'template')
            .map((p) => editableText(p.html)),
        ],
      };
      await trx('letters')
        .where({ id: existing.id })
        .update({ kind: outcome, fields: JSON.stringify(draft), template_version: template.version, updated_at: now });
    },

    /**
     * Sends a round's draft: marks the round's letter sent, freezes the draft and queues the
     * email to the CSP with the PCC in copy, in one statement.
     */
    async send(
      trx: Conn,
      reviewId: number,
      roundNumber: number,
      userId: number,
      now: Date,
      known: KnownForLetter = {},
    ) {
      const letter: LetterRow | undefined =
        known.draft && known.round?.number === roundNumber
          ? known.draft
          : await trx('letters as l')
              .join('rounds as ro', 'ro.id', 'l.round_id')
              .where({ 'ro.review_id': reviewId, 'ro.number': roundNumber, 'l.status': 'draft' })
              .first('l.*');
      if (!letter) throw new ConflictError('This round has no draft letter to send');
      const { columns, mail } = await freeze(trx, letter, userId, now, known);
      await trx
        .with('round_sent', trx('rounds').where({ id: letter.round_id }).update({ letter_sent_at: now }))
        .with('frozen', trx('letters').where({ id: letter.id, status: 'draft' }).update(columns))
        .into('outbox')
        .insert({ ...mail, letter_id: letter.id });
    },

    /**
     * A letter that goes out as soon as it is written (acknowledgements, reminders,
     * confirmations): written sent, with its email queued, in one statement.
     */
    async issue(
      trx: Conn,
      kind: LetterKind,
      reviewId: number,
      options: {
        roundId?: number | null;
        facts?: Partial<LetterFacts>;
        outstanding?: LetterContext['outstanding'];
        comments?: string;
        userId: number | null;
        now: Date;
        who?: Recipients;
      },
    ) {
      const who = options.who ?? (await recipients(trx, reviewId));
      const draft = await freshDraft(trx, kind, who, options.facts);
      const letter = {
        id: 0,
        review_id: reviewId,
        round_id: options.roundId ?? null,
        kind,
        status: 'draft',
        fields: { ...draft, outstanding: options.outstanding, comments: options.comments },
      } as unknown as LetterRow;
      const { columns, mail } = await freeze(trx, letter, options.userId, options.now, { who });
      const [row] = await trx
        .with(
          'issued',
          trx('letters')
            .insert({
              review_id: reviewId,
              round_id: letter.round_id,
              kind,
              created_at: options.now,
              ...columns,
            })
            .returning('id'),
        )
        .into('outbox')
        .insert({ ...mail, letter_id: trx.raw('(select id from issued)') })
        .returning('letter_id');
      return row.letter_id as number;
    },

    /**
     * How a letter the service writes and sends at once (see `issue`) would read if it went now:
     * its HTML, and what would keep it from going (a character its PDF cannot print).
     */
    async preview(kind: LetterKind, reviewId: number, options: { facts?: Partial<LetterFacts>; comments?: string }) {
      const who = await recipients(db, reviewId);
      const draft = await freshDraft(db, kind, who, options.facts);
      const { html, text: plain } = renderLetter(draft, { today: toIsoDate(clock.now()), comments: options.comments });
      const bad = unprintableCharacters(`${plain}\n${pdfTitle(who.reference, who.pseudonym, kind)}`);
      return { html, unprintable: bad.length ? describeCharacters(bad) : null };
    },

    /** Every sent letter of the reviews the user may see, newest first, with its review. */
    async listForUser(user: User, options: { limit?: number } = {}) {
      const rows: Record<string, unknown>[] = await visibleReviews(db, user)
        .join('letters as l', 'l.review_id', 'r.id')
        .leftJoin('rounds as ro', 'ro.id', 'l.round_id')
        .where('l.status', 'sent')
        .orderBy([
          { column: 'l.sent_at', order: 'desc' },
          { column: 'l.id', order: 'desc' },
        ])
        .limit(options.limit ?? 1000)
        .select('l.id', 'l.kind', 'ro.number as round', 'l.sent_at', 'r.id as review_id', 'r.reference', 'r.pseudonym');
      return rows.map((l) => ({
        id: l.id as number,
        kind: l.kind as LetterKind,
        round: l.round as number | null,
        sentAt: toIso(l.sent_at as Date | null),
        review: { id: l.review_id as number, reference: l.reference as string, pseudonym: l.pseudonym as string },
      }));
    },

    async get(user: User, letterId: number) {
      return describe(await visibleLetter(user, letterId));
    },

    async pdf(user: User, letterId: number): Promise<{ filename: string; content: Buffer }> {
      const letter = await visibleLetter(user, letterId);
      const title = pdfTitle(letter.review_reference, letter.review_pseudonym, letter.kind);
      if (letter.status === 'sent') {
        if (!letter.pdf) {
          throw new ConflictError(
            'This letter has no PDF: it holds characters the PDF cannot print. Read it on this page or in its email.',
          );
        }
        return { filename: fileName(`${title}.pdf`), content: letter.pdf };
      }
      const today = toIsoDate(clock.now());
      const draft = await draftOf(db, letter);
      const { html, text: plain } = renderLetter(draft, await contextOf(db, letter, today, knownRound(letter)));
      assertPrintable(`${plain}\n${title}`);
      return {
        filename: fileName(`DRAFT ${title}.pdf`),
        content: await pdfForUser(user.id, html, { title: `DRAFT ${title}`, date: draft.date ?? today }),
      };
    },

    /**
     * Changes a draft: its date, addressee, salutation or signatory, its paragraphs
     * (PATCH content), or re-addresses it from the CSP's contact and the settings as
     * they are now. The panel's decision is not here: it changes through AMEND_OUTCOME.
     */
    async update(user: User, letterId: number, input: unknown) {
      const visible = await visibleLetter(user, letterId);
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can edit letters');
      if (visible.status === 'sent') throw new ConflictError('This letter was sent and can no longer change');
      const changes = parse(updateSchema, input);
      await db.transaction(async (trx) => {
        // The review's lock, as its events take it: an edit waits for a correction of the outcome
        // (which may draft the letter afresh) or another edit, then reads what they left.
        await trx('reviews').where({ id: visible.review_id }).forUpdate().first('id');
        const letter: LetterRow = await trx('letters').where({ id: letterId }).first();
        if (letter.status === 'sent')
          throw new ConflictError('This letter was sent meanwhile and can no longer change');
        let draft = await draftOf(trx, letter);
        if (changes.readdress) {
          const who = await recipients(trx, letter.review_id);
          const now = addressingFor(who.csp, who.contact, await settings.get(trx));
          draft = { ...draft, ...now, addressedFrom: now };
        }
        if (changes.date !== undefined) draft.date = await checkedDate(trx, letter, changes.date);
        if (changes.addressee) draft.addressee = changes.addressee;
        if (changes.salutation) draft.salutation = changes.salutation;
        if (changes.signatory) draft.signatory = changes.signatory;
        if (changes.content) draft = withContent(draft, changes.content);
        await trx('letters')
          .where({ id: letterId })
          .update({ fields: JSON.stringify(draft), updated_at: clock.now() });
      });
      return this.get(user, letterId);
    },
  };
}

export type Letters = ReturnType<typeof createLetters>;
