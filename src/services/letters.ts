import crypto from 'node:crypto';
import { z } from 'zod';
import type { Conn, Db } from '../db/connect';
import {
  defaultSalutation,
  renderLetter,
  type LetterData,
  type LetterFields,
  type LetterItem,
} from '../letters/compose';
import { letterPdf } from '../letters/pdf';
import { renderEmail, trusted, type EmailName, type LetterKind } from '../letters/templates';
import type { Outbox } from '../mail/outbox';
import type { Outcome } from '../workflow/types';
import type { User } from './accounts';
import { toIso, toIsoDate, type Clock } from './clock';
import { ConflictError, ForbiddenError, NotFoundError } from './errors';
import { isHomeOffice, visibleReviews } from './scope';
import type { SettingsService } from './settings';
import { optionalText, parse, text } from './validation';

interface LetterRow {
  id: number;
  review_id: number;
  round_id: number | null;
  kind: LetterKind;
  status: 'draft' | 'sent';
  fields: LetterFields & { extra?: Partial<LetterData> };
  html: string | null;
  text: string | null;
  pdf: Buffer | null;
  html_sha256: string | null;
  text_sha256: string | null;
  pdf_sha256: string | null;
  sent_at: Date | null;
}

const fieldsSchema = z
  .strictObject({
    salutation: text(200),
    commendations: optionalText(20000),
    extraParagraph: optionalText(5000),
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
};

const OUTCOME_KINDS: readonly LetterKind[] = ['publish', 'publish_after_changes', 'resubmit'];

export function createLetters(db: Db, clock: Clock, settings: SettingsService, outbox: Outbox) {
  /** The CSP, its letters' addressee and its PCC, refusing when a letter could not reach them. */
  async function recipients(conn: Conn, reviewId: number) {
    const row = await conn('reviews as r')
      .join('csps as c', 'c.id', 'r.csp_id')
      .join('police_force_areas as p', 'p.id', 'c.police_force_area_id')
      .where('r.id', reviewId)
      .first(
        'r.reference',
        'r.pseudonym',
        'c.name as csp_name',
        'c.address_lines',
        'c.contacts',
        'p.name as area',
        'p.pcc_name',
        'p.pcc_email',
      );
    const contacts = row.contacts as { name: string; email: string }[];
    if (contacts.length === 0) {
      throw new ConflictError(`${row.csp_name} has no contact to address letters to; add one to the CSP first`);
    }
    return {
      reference: row.reference as string,
      pseudonym: row.pseudonym as string,
      csp: { name: row.csp_name as string, addressLines: row.address_lines as string[], contact: contacts[0]! },
      contacts,
      area: row.area as string,
      pccName: (row.pcc_name as string | null) ?? `Police and Crime Commissioner for ${row.area}`,
      pccEmail: row.pcc_email as string | null,
    };
  }

  async function roundOf(conn: Conn, roundId: number) {
    const round = await conn('rounds as ro')
      .leftJoin('panel_meetings as m', 'm.id', 'ro.panel_meeting_id')
      .where('ro.id', roundId)
      .first('ro.number', 'ro.outcome', 'ro.commendations', 'ro.letter_sent_at', 'm.date as meeting_date');
    const items: LetterItem[] = await conn('revision_items')
      .where({ round_id: roundId })
      .orderBy('position')
      .select('heading', 'text', 'note', 'status');
    return { ...round, items };
  }

  type Recipients = Awaited<ReturnType<typeof recipients>>;

  /** Everything the letter says, as of `date` (the recipients too, when the caller has them already). */
  async function gather(conn: Conn, letter: LetterRow, date: string, known?: Recipients): Promise<LetterData> {
    const who = known ?? (await recipients(conn, letter.review_id));
    const round = letter.round_id ? await roundOf(conn, letter.round_id) : null;
    const { extra, ...fields } = letter.fields;
    return {
      kind: letter.kind,
      date,
      settings: await settings.get(conn),
      reference: who.reference,
      pseudonym: who.pseudonym,
      csp: who.csp,
      pccName: who.pccName,
      fields,
      meetingDate: round?.meeting_date ? toIsoDate(round.meeting_date) : undefined,
      items: round?.items,
      ...extra,
    };
  }

  async function render(conn: Conn, letter: LetterRow, date: string) {
    return renderLetter(await gather(conn, letter, date));
  }

  const pdfTitle = (reference: string, pseudonym: string, kind: LetterKind) =>
    `${reference} (${pseudonym}) ${OUTCOME_KINDS.includes(kind) ? 'QA Panel feedback' : kind.replace(/_/g, ' ')}`;

  /** Fixes a letter's words for good: HTML, text and PDF with their SHA-256, and queues its email. */
  async function freezeAndMail(trx: Conn, letter: LetterRow, userId: number | null, now: Date, known?: Recipients) {
    const who = known ?? (await recipients(trx, letter.review_id));
    const data = await gather(trx, letter, toIsoDate(now), who);
    const { html, text: plain } = renderLetter(data);
    const pdf = await letterPdf(html, { title: pdfTitle(who.reference, who.pseudonym, letter.kind), date: data.date });
    await trx('letters')
      .where({ id: letter.id, status: 'draft' })
      .update({
        status: 'sent',
        html,
        text: plain,
        pdf,
        html_sha256: sha256(html),
        text_sha256: sha256(plain),
        pdf_sha256: sha256(pdf),
        sent_by: userId,
        sent_at: now,
        updated_at: now,
      });
    const outcome = OUTCOME_KINDS.includes(letter.kind);
    const name = EMAIL_FOR[letter.kind];
    const model = {
      reference: who.reference,
      pseudonym: who.pseudonym,
      cspName: who.csp.name,
      pccName: who.pccName,
      letterHtml: trusted(html),
      letterText: plain,
    };
    await outbox.enqueue(trx, {
      kind: letter.kind,
      reviewId: letter.review_id,
      letterId: letter.id,
      template: name,
      to: who.contacts.map((c) => c.email),
      cc: outcome && who.pccEmail ? [who.pccEmail] : [],
      replyTo: data.settings.dhrMailbox,
      ...renderEmail(name, model),
      attachLetter: outcome,
    });
  }

  async function visibleLetter(user: User, letterId: number): Promise<LetterRow & { round: number | null }> {
    const row = await visibleReviews(db, user)
      .join('letters as l', 'l.review_id', 'r.id')
      .leftJoin('rounds as ro', 'ro.id', 'l.round_id')
      .where('l.id', letterId)
      .first('l.*', 'ro.number as round');
    // Drafts are the Home Office's working papers until they are sent.
    if (!row || (row.status === 'draft' && !isHomeOffice(user))) throw new NotFoundError('No letter with this id');
    return row;
  }

  async function describe(letter: LetterRow & { round: number | null }) {
    const content =
      letter.status === 'sent'
        ? { html: letter.html!, text: letter.text! }
        : await render(db, letter, toIsoDate(clock.now()));
    return {
      id: letter.id,
      kind: letter.kind,
      reviewId: letter.review_id,
      round: letter.round,
      status: letter.status,
      html: content.html,
      text: content.text,
      fields: {
        salutation: letter.fields.salutation,
        commendations: letter.fields.commendations,
        extraParagraph: letter.fields.extraParagraph,
      },
      sentAt: toIso(letter.sent_at),
      sha256:
        letter.status === 'sent'
          ? { html: letter.html_sha256, text: letter.text_sha256, pdf: letter.pdf_sha256 }
          : null,
    };
  }

  return {
    /** The draft letter of a round just recorded (or regenerated from an amended one). */
    async draft(trx: Conn, reviewId: number, roundId: number, outcome: Outcome, commendations: string, now: Date) {
      const who = await recipients(trx, reviewId);
      const fields = { salutation: defaultSalutation(who.csp.contact.name), commendations, extraParagraph: '' };
      const existing = await trx('letters').where({ round_id: roundId, status: 'draft' }).first('id');
      if (existing) {
        await trx('letters')
          .where({ id: existing.id })
          .update({ kind: outcome, fields: JSON.stringify(fields), updated_at: now });
        return;
      }
      await trx('letters').insert({
        review_id: reviewId,
        round_id: roundId,
        kind: outcome,
        status: 'draft',
        fields: JSON.stringify(fields),
        created_at: now,
        updated_at: now,
      });
    },

    /** Refuses, before anything changes, a letter that could not reach the CSP and its PCC. */
    async checkDeliverable(trx: Conn, reviewId: number) {
      const who = await recipients(trx, reviewId);
      if (!who.pccEmail) {
        throw new ConflictError(
          `The letter cannot be sent: the ${who.area} police force area has no PCC email address to copy it to. Add it to the police force area first.`,
        );
      }
    },

    /** Sends a round's draft: freezes it and queues the email to the CSP with the PCC in copy. */
    async send(trx: Conn, reviewId: number, roundNumber: number, userId: number, now: Date) {
      const letter = await trx('letters as l')
        .join('rounds as ro', 'ro.id', 'l.round_id')
        .where({ 'ro.review_id': reviewId, 'ro.number': roundNumber, 'l.status': 'draft' })
        .first('l.*');
      if (!letter) throw new ConflictError('This round has no draft letter to send');
      await freezeAndMail(trx, letter, userId, now);
    },

    /** A letter that goes out as soon as it is written: acknowledgements, reminders, confirmations. */
    async issue(
      trx: Conn,
      kind: LetterKind,
      reviewId: number,
      options: { roundId?: number | null; extra?: Partial<LetterData>; userId: number | null; now: Date },
    ) {
      const who = await recipients(trx, reviewId);
      const fields = {
        salutation: defaultSalutation(who.csp.contact.name),
        commendations: '',
        extraParagraph: '',
        extra: options.extra ?? {},
      };
      const [row] = await trx('letters')
        .insert({
          review_id: reviewId,
          round_id: options.roundId ?? null,
          kind,
          status: 'draft',
          fields: JSON.stringify(fields),
          created_at: options.now,
          updated_at: options.now,
        })
        .returning('*');
      await freezeAndMail(trx, row, options.userId, options.now, who);
      return row.id as number;
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
        sentAt: toIso(l.sent_at as Date | string | null),
        review: { id: l.review_id as number, reference: l.reference as string, pseudonym: l.pseudonym as string },
      }));
    },

    async get(user: User, letterId: number) {
      return describe(await visibleLetter(user, letterId));
    },

    async pdf(user: User, letterId: number): Promise<{ filename: string; content: Buffer }> {
      const letter = await visibleLetter(user, letterId);
      const review = await db('reviews').where({ id: letter.review_id }).first('reference', 'pseudonym');
      const title = pdfTitle(review.reference, review.pseudonym, letter.kind);
      if (letter.status === 'sent') return { filename: `${title}.pdf`, content: letter.pdf! };
      const date = toIsoDate(clock.now());
      const { html } = await render(db, letter, date);
      return { filename: `DRAFT ${title}.pdf`, content: await letterPdf(html, { title: `DRAFT ${title}`, date }) };
    },

    async update(user: User, letterId: number, input: unknown) {
      const letter = await visibleLetter(user, letterId);
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can edit letters');
      if (letter.status === 'sent') throw new ConflictError('This letter was sent and can no longer change');
      const changes = parse(fieldsSchema, input);
      const updated = await db('letters')
        .where({ id: letterId, status: 'draft' })
        .update({ fields: JSON.stringify({ ...letter.fields, ...changes }), updated_at: clock.now() });
      if (updated !== 1) throw new ConflictError('This letter was sent meanwhile and can no longer change');
      return this.get(user, letterId);
    },
  };
}

export type Letters = ReturnType<typeof createLetters>;
