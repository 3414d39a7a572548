import { isoFromJson, toIso, toIsoDate, type Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import { isHomeOffice } from '../../core/scope';
import type { User } from '../../core/user';
import { containing, parse } from '../../core/validation';
import type { Db } from '../../db/connect';
import { areaLabels } from '../../letters/areas';
import { allowedEvents, canAttachDocuments, removableDocuments, stateLabel } from '../../workflow/lifecycle';
import type { DocumentKind, ItemStatus } from '../../workflow/types';
import { ITEM_STATUS } from '../../workflow/words';
import { whereOverdue } from '../overdue';
import type { SettingsService } from '../settings';
import type { StageTargetsService } from '../../clocks/service';
import { PAUSE_CATEGORIES, STAGE_NAMES, type PauseCategory } from '../../clocks/stages';
import { dayOf } from '../../clocks/days';
import { factsOf, reviewQuery, type ReviewRow } from './rows';
import { RECIPIENTS_SQL, type RecipientsRow } from '../letters';
import { listSchema } from './schemas';
import { distributionOf, RECIPIENT_NAMES, type DistributionRow, type Recipient } from '../../distribution/recipients';

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const SYSTEM_ACTOR = { email: null, name: 'DHR QA (automatic)', role: 'system' };

/**
 * Who did something, as the reader may know it. The Home Office sees names; a CSP or a PCC
 * sees "the QA Panel" or "the Home Office" for the panel and its secretariat, whose members'
 * names and addresses are theirs to keep. Reminders are sent by the service itself.
 */
function actorAs(reader: User, event: { email: string | null; name: string | null; role: string | null }) {
  if (!event.email) return SYSTEM_ACTOR;
  if (isHomeOffice(reader) || (event.role !== 'secretariat' && event.role !== 'panel')) {
    return { email: event.email, name: event.name, role: event.role };
  }
  return { email: null, name: event.role === 'panel' ? 'the QA Panel' : 'the Home Office', role: event.role };
}

/** Who sees what was corrected (removed documents, a detail's old value): the Home Office and the review's CSP. */
export const mayReadCorrections = (reader: User) => isHomeOffice(reader) || reader.role === 'csp';

/** History lines only the Home Office reads. */
const HOME_OFFICE_ONLY_HISTORY = ['QA_CHECKLIST_MARKED'];

/** Why a review was paused is shown outside the Home Office only when the secretariat chose to share it. */
const reasonShown = (reader: User, event: { type: string; payload: { shareReason?: boolean } | null }) =>
  isHomeOffice(reader) || event.type !== 'PAUSE' || event.payload?.shareReason === true;

/** What the pages and the API read about reviews: one review whole, or a filtered list. */
export function createReadModel(
  db: Db,
  clock: Clock,
  deps: { settings: SettingsService; stageTargets: StageTargetsService },
) {
  /**
   * A review the user may see and everything its page shows, in one statement: at
   * national volume the seven queries this replaced cost more in network turns than
   * in work, and one statement reads one consistent moment. The parts come back as
   * JSON, so their timestamps arrive as ISO text. The CSP and the PCC see only sent letters.
   */
  async function loadView(user: User, reviewId: number) {
    const list = (select: string, order: string) =>
      `(select coalesce(json_agg(x order by ${order}), '[]'::json) from (${select}) x)`;
    const { rows } = await db.raw(
      `select v.*,
         ${list(
           `select ro.id, ro.number, ro.panel_meeting_id, ro.outcome, ro.commendations, ro.recorded_at,
                   ro.letter_sent_at, m.date as meeting_date
              from rounds ro left join panel_meetings m on m.id = ro.panel_meeting_id where ro.review_id = v.id`,
           'x.number',
         )} as rounds,
         ${list(
           `select i.*, ro.number from revision_items i join rounds ro on ro.id = i.round_id where ro.review_id = v.id`,
           'x.number, x.position',
         )} as items,
         ${list(
           'select id, kind, filename, content_type, size, uploaded_at, removed_at, replaced_by from documents where review_id = v.id',
           'x.id',
         )} as documents,
         ${list(
           `select e.id, e.type, e.from_state, e.to_state, e.at, e.payload, u.email, u.name, u.role
              from review_events e left join users u on u.id = e.actor_id where e.review_id = v.id`,
           'x.id',
         )} as history,
         (select json_build_object('id', id, 'date', date) from panel_meetings where id = v.meeting_id) as meeting,
         ${list(
           `select d.id, d.recipient, d.sent_on, d.how, d.note, d.recorded_at, d.outbox_id, o.to as mailed_to, u.email, u.name, u.role
              from distribution_entries d left join outbox o on o.id = d.outbox_id
              left join users u on u.id = d.recorded_by where d.review_id = v.id`,
           'x.id',
         )} as distribution,
         ${RECIPIENTS_SQL('v.id')} as recipients,
         ${list(
           `select l.id, l.kind, ro.number as round, l.status, l.sent_at
              from letters l left join rounds ro on ro.id = l.round_id
             where l.review_id = v.id ${isHomeOffice(user) ? '' : "and l.status = 'sent'"}`,
           'x.id',
         )} as letters
       from (?) v`,
      [reviewQuery(db, user).where('r.id', reviewId)],
    );
    if (!rows[0]) throw new NotFoundError('No review with this id');
    // PGlite returns json columns parsed, as node-postgres does.
    return rows[0] as ReviewRow & {
      rounds: {
        id: number;
        number: number;
        panel_meeting_id: number | null;
        outcome: string;
        commendations: string;
        recorded_at: string;
        letter_sent_at: string | null;
        meeting_date: string | null;
      }[];
      items: {
        id: number;
        round_id: number;
        position: number;
        heading: string | null;
        text: string;
        points: string[] | null;
        status: ItemStatus;
        response: string | null;
        report_reference: string | null;
        note: string | null;
      }[];
      documents: {
        id: number;
        kind: DocumentKind;
        filename: string;
        content_type: string;
        size: number;
        uploaded_at: string;
        removed_at: string | null;
        replaced_by: number | null;
      }[];
      history: {
        type: string;
        from_state: string | null;
        to_state: string;
        at: string;
        payload: {
          reason?: string;
          shareReason?: boolean;
          category?: PauseCategory;
          itemId?: number;
          kind?: string;
          filename?: string;
          replacedFilename?: string;
          changes?: { field: string; from: string | number | null; to: string | number | null }[];
          recipient?: Recipient;
          decision?: 'review' | 'no_review';
          view?: 'agree' | 'disagree';
        } | null;
        email: string | null;
        name: string | null;
        role: string | null;
      }[];
      meeting: { id: number; date: string } | null;
      distribution: (Omit<DistributionRow, 'recorded_by'> & { email: string; name: string; role: string })[];
      recipients: RecipientsRow;
      letters: { id: number; kind: string; round: number | null; status: string; sent_at: string | null }[];
    };
  }

  async function view(user: User, reviewId: number) {
    const {
      rounds,
      items,
      documents: allDocuments,
      history,
      meeting,
      letters,
      recipients,
      distribution,
      ...review
    } = await loadView(user, reviewId);
    // Removed and replaced documents are kept: listed apart, never counted for submission.
    const documents = allDocuments.filter((d) => d.removed_at === null);
    const removed = allDocuments.filter((d) => d.removed_at !== null);
    // The guards' facts come from the rows the page shows anyway.
    const currentRoundId = rounds.find((r) => r.number === review.context.round)?.id;
    const facts = factsOf({
      documents,
      items: items.filter((i) => i.round_id === currentRoundId),
      meetingHeld: meeting !== null && meeting.date <= toIsoDate(clock.now()),
      recipients,
      distributed: distribution.map((d) => d.recipient),
    });
    const clocks = await deps.stageTargets.clocksOf({
      notifiedOn: review.notified_on,
      publishedOn: review.context.publication?.publishedOn ?? null,
      createdAt: toIso(review.created_at)!,
      history: history.map((h) => ({
        from: h.from_state,
        to: h.to_state,
        at: isoFromJson(h.at)!,
        category: h.payload?.category ?? null,
      })),
      rounds: rounds.map((r) => ({
        number: r.number,
        outcome: r.outcome,
        meetingDate: r.meeting_date,
        letterSentAt: isoFromJson(r.letter_sent_at),
      })),
    });
    // Why a review is on hold is shown outside the Home Office only when the secretariat shared it.
    const lastPause = history.findLast((h) => h.type === 'PAUSE');
    const pauseShown = lastPause !== undefined && reasonShown(user, lastPause);
    // Each item's label as its letter numbers it (1, 2a, 2b), so every page and email says the same.
    const removable = removableDocuments(review.state, review.context, user.role, facts);
    const labels = new Map<number, string>();
    for (const r of rounds) {
      const its = items.filter((i) => i.round_id === r.id);
      areaLabels(its.map((i) => ({ heading: i.heading, text: i.text, points: i.points ?? [] }))).forEach((label, k) =>
        labels.set(its[k]!.id, label),
      );
    }
    // "2a", or "2a of round 1" once there is more than one round.
    const numberOf = new Map(rounds.map((r) => [r.id, r.number]));
    const roundOf = new Map(items.map((i) => [i.id, numberOf.get(i.round_id)]));
    // The CSP and the PCC learn the panel's view of a decision not to review from its letter, not before.
    const viewShown = isHomeOffice(user) || letters.some((l) => l.kind === 'review_decision');
    const itemLabel = (itemId: number) =>
      rounds.length > 1 ? `${labels.get(itemId)} of round ${roundOf.get(itemId)}` : labels.get(itemId)!;
    return {
      id: review.id,
      reference: review.reference,
      pseudonym: review.pseudonym,
      yearOfDeath: review.year_of_death,
      notifiedOn: review.notified_on,
      /** Whether the Secretary of State directed the review, and what its scoping found (see src/intake/scoping.ts). */
      scoping: {
        directedBySecretaryOfState: review.directed_by_secretary_of_state,
        earlyLearning: review.early_learning,
        immediateActions: review.immediate_actions,
      },
      /** The CSP's decision whether to hold the review (none recorded: it is being held). */
      decision: review.decision
        ? { decision: review.decision, reason: review.decision_reason, decidedAt: toIso(review.decided_at) }
        : null,
      panelView:
        review.panel_view && viewShown
          ? {
              view: review.panel_view,
              comments: review.panel_view_comments ?? '',
              recordedAt: toIso(review.panel_view_at),
            }
          : null,
      csp: { id: review.csp_id, name: review.csp_name },
      state: review.state,
      stateText: capitalised(stateLabel(review.state)),
      version: review.version,
      allowedEvents: allowedEvents(review.state, review.context, user.role, facts),
      canAttachDocuments: canAttachDocuments(review.state, review.context, user.role, facts),
      // Why its letter could not go now, for the Home Office, which puts it right.
      undeliverable: isHomeOffice(user) ? facts.undeliverable : null,
      meeting: meeting ? { id: meeting.id, date: meeting.date } : null,
      pausedFrom: review.context.pausedFrom,
      withdrawnFrom: review.context.withdrawnFrom ?? null,
      publication: review.context.publication,
      // Where the final report went, once the review is approved: each recipient's newest entry.
      distribution: distributionOf(
        review.state,
        distribution.map((d) => ({ ...d, recorded_by: actorAs(user, d).name })),
      ),
      // The CSP and the PCC learn a round's outcome from its letter, not before.
      rounds: rounds
        .filter((r) => isHomeOffice(user) || r.letter_sent_at !== null)
        .map((r) => ({
          number: r.number,
          meeting: r.panel_meeting_id ? { id: r.panel_meeting_id, date: r.meeting_date! } : null,
          outcome: r.outcome,
          commendations: r.commendations,
          recordedAt: isoFromJson(r.recorded_at),
          letterSentAt: isoFromJson(r.letter_sent_at),
          items: items
            .filter((i) => i.round_id === r.id)
            .map((i) => ({
              id: i.id,
              position: i.position,
              heading: i.heading,
              text: i.text,
              points: i.points ?? [],
              label: labels.get(i.id)!,
              status: i.status,
              statusText: ITEM_STATUS[i.status],
              response: i.response,
              reportReference: i.report_reference,
              note: i.note,
            })),
        })),
      documents: documents.map((d) => ({
        id: d.id,
        kind: d.kind,
        filename: d.filename,
        contentType: d.content_type,
        size: d.size,
        uploadedAt: isoFromJson(d.uploaded_at),
        // Whether this user may remove or replace it now (the machine's rule, per document).
        removable: removable.includes(d.id),
      })),
      // A document removed may be the wrong or an unredacted file: the Home Office and the CSP keep it, others do not see it.
      removedDocuments: (mayReadCorrections(user) ? removed : []).map((d) => ({
        id: d.id,
        kind: d.kind,
        filename: d.filename,
        uploadedAt: isoFromJson(d.uploaded_at),
        removedAt: isoFromJson(d.removed_at),
        replacedBy:
          d.replaced_by === null
            ? null
            : { id: d.replaced_by, filename: allDocuments.find((n) => n.id === d.replaced_by)!.filename },
      })),
      letters: letters.map((l) => ({
        id: l.id,
        kind: l.kind,
        round: l.round,
        status: l.status,
        sentAt: isoFromJson(l.sent_at),
      })),
      // The panel's checklist is its working paper: outside the Home Office, not even that it was marked.
      history: history
        .filter((h) => isHomeOffice(user) || !HOME_OFFICE_ONLY_HISTORY.includes(h.type))
        .map((h) => ({
          type: h.type,
          from: h.from_state,
          to: h.to_state,
          actor: actorAs(user, h),
          at: isoFromJson(h.at),
          ...(h.payload?.reason && reasonShown(user, h) ? { reason: h.payload.reason } : {}),
          ...(h.payload?.category && reasonShown(user, h)
            ? { pausedFor: { category: h.payload.category, text: PAUSE_CATEGORIES[h.payload.category] } }
            : {}),
          // What the event was about: the document, or the item as its letter numbers it (while the item exists).
          ...(h.payload?.filename
            ? {
                document: {
                  kind: h.payload.kind,
                  filename: h.payload.filename,
                  ...(h.payload.replacedFilename ? { replaces: h.payload.replacedFilename } : {}),
                },
              }
            : {}),
          // What was decided: the CSP's decision, or the panel's view of it (the latter once its letter went).
          ...(h.payload?.decision ? { decision: h.payload.decision } : {}),
          ...(h.payload?.view && viewShown ? { view: h.payload.view } : {}),
          ...(h.payload?.itemId && labels.has(h.payload.itemId) ? { item: itemLabel(h.payload.itemId) } : {}),
          // Who a copy of the final report was recorded as reaching (the note stays in the list).
          ...(h.payload?.recipient && RECIPIENT_NAMES[h.payload.recipient]
            ? { recipient: RECIPIENT_NAMES[h.payload.recipient].name }
            : {}),
          // What a detail was before is for the Home Office and the CSP: a name typed in error stays with them.
          ...(h.payload?.changes && mayReadCorrections(user) ? { changes: h.payload.changes } : {}),
        })),
      // How long each stage took, or has taken so far, against its target (see src/clocks).
      clocks: clocks.map((c) => ({
        ...c,
        name: STAGE_NAMES[c.stage].name,
        pausedFor: pauseShown ? c.pausedFor : null,
      })),
      createdAt: toIso(review.created_at),
      updatedAt: toIso(review.updated_at),
    };
  }

  /**
   * The reviews in the user's scope that match the filters: state, CSP, the panel
   * meeting they are scheduled for, overdue (see overdue.ts) and `q`, part of the
   * reference or pseudonym in any case.
   */
  async function filtered(user: User, query: unknown, withTotal: boolean) {
    const filters = parse(listSchema, query);
    const q = reviewQuery(db, user);
    if (filters.state) q.where('r.state', filters.state);
    if (filters.cspId) q.where('r.csp_id', filters.cspId);
    if (filters.meetingId) q.where('r.meeting_id', filters.meetingId);
    if (filters.overdue) whereOverdue(q, dayOf(clock.now()));
    if (filters.q) {
      const pattern = containing(filters.q);
      q.where((w) => w.whereILike('r.reference', pattern).orWhereILike('r.pseudonym', pattern));
    }
    // How many match in all comes with the page, in one statement: as a subquery PostgreSQL runs once,
    // not a window over the whole selection, which would read every match to return 25 (0.06 of the
    // baseline at 20,000 reviews). Only a page past the end, with no row to carry it, counts apart.
    if (withTotal) q.select(db.raw('(?) as total_matching', [q.clone().clearSelect().count('*')]));
    const rows = (await q.clone().orderBy('r.id', 'desc').limit(filters.limit).offset(filters.offset)) as (ReviewRow & {
      total_matching?: number | string;
    })[];
    const total = !withTotal
      ? undefined
      : rows.length
        ? Number(rows[0]!.total_matching)
        : filters.offset === 0
          ? 0
          : Number((await q.clearSelect().count<{ n: string | number }[]>('* as n'))[0]!.n);
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        reference: r.reference,
        pseudonym: r.pseudonym,
        csp: { id: r.csp_id, name: r.csp_name },
        state: r.state,
        version: r.version,
        notifiedOn: r.notified_on,
        updatedAt: toIso(r.updated_at),
      })),
    };
  }

  return { view, filtered };
}
