import type express from 'express';
import type { User } from '../../core/user';
import { ITEM_STATUS } from '../../workflow/words';
import type { Request, Response } from 'express';
import { longDate } from '../../core/dates';
import { toIsoDate } from '../../core/clock';
import { isHomeOffice } from '../../core/scope';
import { DOCUMENT_KINDS, FINAL_STATES, SUBMISSION_KINDS, type ClientEventType } from '../../workflow/types';
import { eventFromForm } from '../eventForm';
import { doneBanner } from '../../workflow/events';
import { handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../context';
import { idParam } from '../../http';
import { friendlier } from './csp/common';
import { clockRows } from '../clockRows';
import { PAUSE_CATEGORIES } from '../../clocks/stages';

/** Events done from their own pages rather than from a button on the review page. */
const ELSEWHERE: Partial<Record<ClientEventType, (id: number, meetingId: number | null) => string>> = {
  RECORD_DECISION: (id) => `/reviews/${id}/decision`,
  RECORD_PANEL_VIEW: (id) => `/reviews/${id}/panel-view`,
  RECORD_OUTCOME: (id, m) => `/meetings/${m}/reviews/${id}/outcome`,
  AMEND_OUTCOME: (id, m) => `/meetings/${m}/reviews/${id}/outcome`,
  RESPOND_TO_ITEM: (id) => `/reviews/${id}/items`,
};

/**
 * The review page has one reason field per item being checked: an error about the reason
 * for returning an item belongs to that item's field, in the words GOV.UK would use.
 */
function onItsField(errors: PageError[], payload: Record<string, unknown>): PageError[] {
  if (payload.type !== 'RETURN_ITEM' || typeof payload.itemId !== 'number') return errors;
  const field = `reason-${payload.itemId}`;
  return errors.map((e) =>
    e.field === 'reason'
      ? {
          field,
          href: `#${field}`,
          message: /empty|required/.test(e.said ?? e.message) ? 'Enter why the item is returned' : e.message,
        }
      : e,
  );
}

/** What a reason left empty asks for, on each form of the review page that has one. */
const REASONS: Partial<Record<string, string>> = {
  PAUSE: 'Enter details of why the review is on hold',
  REINSTATE: 'Enter why the review is being reinstated',
  WITHDRAW: 'Enter why the review is being withdrawn',
};

/** The labels of the review page's fields, for its error messages. */
const EVENT_LABELS = {
  meetingId: 'The panel meeting',
  url: 'The web address of the published report',
  publishedOn: 'The date of publication',
  reason: 'The reason',
  category: 'Why the review is on hold',
};

/** The review's details as the pages name them. */
const DETAIL_NAMES: Record<string, string> = {
  pseudonym: 'pseudonym',
  yearOfDeath: 'year of death',
  notifiedOn: 'date notified',
};
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const shown = (field: string, value: string | number | null) =>
  value === null || value === '' ? 'not given' : field === 'notifiedOn' ? longDate(String(value)) : String(value);

/** History events a review's page shows before "Show all". */
const TIMELINE_LENGTH = 20;

/**
 * The meeting a schedule form starts on: the one a scheduled review is on, or else the next to be held
 * (today's included); the list is newest first, so the next is the last on or after today.
 */
function nextMeeting(meetings: { id: number; date: string }[], current: number | undefined, today: string) {
  if (current !== undefined) return current;
  return meetings.filter((m) => m.date >= today).at(-1)?.id;
}

export function reviewRoutes(router: express.Router, ctx: WebContext) {
  const { services } = ctx;

  /** Draws the review page, with errors and typed values when a form on it was refused. */
  async function show(
    req: Request,
    res: Response,
    id: number,
    extra: { errors?: PageError[]; values?: Record<string, unknown> } = {},
    status = 200,
  ) {
    const user = req.user!;
    const review = await services.reviews.view(user, id);
    const allowed = new Set(review.allowedEvents);
    const current = review.rounds.at(-1);
    const meetings = allowed.has('SCHEDULE') ? await services.meetings.recent(user, review.meeting?.id) : [];
    const done = doneBanner(req.query.done);
    const doneType = done ? (req.query.done as ClientEventType) : null;
    // Banners say what was done to what: the item by its letter's label, the document by its name.
    const item = review.rounds.flatMap((r) => r.items).find((i) => String(i.id) === req.query.item);
    const uploaded = review.documents.find((d) => String(d.id) === req.query.uploaded);
    const replaced = uploaded && review.removedDocuments.find((d) => d.replacedBy?.id === uploaded.id);
    const removed = review.removedDocuments.find((d) => String(d.id) === req.query.removed);
    const distributed = review.distribution?.lines.find((l) => l.recipient === req.query.distributed && l.entry);
    const lastChanges = review.history.findLast((h) => h.type === 'EDIT_DETAILS')?.changes;
    const specific: Partial<Record<ClientEventType, string | null>> = {
      ACCEPT_ITEM: item ? `Item ${item.label} accepted` : null,
      RETURN_ITEM: item ? `Item ${item.label} returned to ${review.csp.name}` : null,
      RESPOND_TO_ITEM: item ? `Answer to item ${item.label} saved` : null,
      SCHEDULE: review.meeting ? `Review scheduled for the panel meeting of ${longDate(review.meeting.date)}` : null,
      EDIT_DETAILS: lastChanges
        ? `Review details changed: ${lastChanges.map((c) => DETAIL_NAMES[c.field]).join(', ')}`
        : null,
    };
    const banner =
      (doneType ? (specific[doneType] ?? done) : null) ??
      (req.query.notified ? `Review ${review.reference} notified` : null) ??
      (replaced
        ? `${uploaded!.filename} replaces ${replaced.filename} as the ${uploaded!.kind.replace(/_/g, ' ')}`
        : null) ??
      (uploaded ? `${uploaded.filename} uploaded as the ${uploaded.kind.replace(/_/g, ' ')}` : null) ??
      (removed ? `${removed.filename} removed: it is kept in the history` : null) ??
      (distributed
        ? `${distributed.name}: ${distributed.entry!.how === 'email' ? 'the final report was emailed' : 'recorded as sent'} on ${longDate(distributed.entry!.sentOn)}`
        : null) ??
      (req.query.uploaded ? 'Document uploaded' : null) ??
      (req.query.scoped ? 'Scoping and direction saved' : null);
    // Before submission, those who upload see which of the three required documents are there.
    const checklist =
      review.state === 'notified' && review.canAttachDocuments
        ? SUBMISSION_KINDS.map((kind) => ({
            kind,
            text: kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
            documents: review.documents.filter((d) => d.kind === kind),
          }))
        : null;
    const missing = checklist?.find((c) => c.documents.length === 0)?.kind;
    // The history newest first; a long one shows its latest events until all are asked for.
    const allHistory = req.query.history === 'all';
    // A correction of the details reads "Pseudonym: Mary → Adult A".
    const timeline = [...review.history].reverse().map((h) => ({
      ...h,
      changes: h.changes?.map(
        (c) => `${capitalised(DETAIL_NAMES[c.field] ?? c.field)}: ${shown(c.field, c.from)} → ${shown(c.field, c.to)}`,
      ),
    }));
    render(
      req,
      res,
      'reviews/show',
      {
        title: `${review.reference} (${review.pseudonym})`,
        review,
        homeOffice: isHomeOffice(user),
        qaChecklist: qaChecklistLink(user, review),
        canScope: (user.role === 'csp' || user.role === 'secretariat') && !FINAL_STATES.includes(review.state),
        allowed: Object.fromEntries(review.allowedEvents.map((e) => [e, true])),
        links: Object.fromEntries(
          review.allowedEvents
            .filter((e) => ELSEWHERE[e])
            .map((e) => [e, ELSEWHERE[e]!(review.id, review.meeting?.id ?? null)]),
        ),
        checking: allowed.has('ACCEPT_ITEM') ? current?.number : null,
        // Scheduled for a meeting still to come: say when its outcome can be recorded.
        outcomeFrom:
          isHomeOffice(user) && review.state === 'scheduled' && !allowed.has('RECORD_OUTCOME') && review.meeting
            ? longDate(review.meeting.date)
            : null,
        viewFrom:
          isHomeOffice(user) &&
          review.state === 'decision_scheduled' &&
          !allowed.has('RECORD_PANEL_VIEW') &&
          review.meeting
            ? longDate(review.meeting.date)
            : null,
        decisionLetter: review.state === 'decision_letter_pending',
        // The secretariat is shown the way to the letter even when it cannot go yet: its page says why.
        decisionLetterLink: review.state === 'decision_letter_pending' && user.role === 'secretariat',
        meetingOptions: meetings.map((m) => ({ value: m.id, text: longDate(m.date) })),
        documentKinds: DOCUMENT_KINDS.map((k) => ({
          value: k,
          text: k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
        })),
        itemStatus: ITEM_STATUS,
        clocks: clockRows(review.clocks),
        // Who records where the final report went (the Home Office and the CSP), until it is closed.
        canDistribute:
          (user.role === 'csp' || user.role === 'secretariat') &&
          (review.state === 'approved' || review.state === 'published'),
        pauseCategories: Object.entries(PAUSE_CATEGORIES).map(([value, text]) => ({ value, text })),
        timeline: allHistory ? timeline : timeline.slice(0, TIMELINE_LENGTH),
        timelineHidden: allHistory ? 0 : Math.max(0, timeline.length - TIMELINE_LENGTH),
        timelineTotal: timeline.length,
        banner: banner ? { success: true, text: banner } : null,
        checklist,
        anyRemovable: review.documents.some((d) => d.removable),
        // The revision items have a page of their own, for those who answer them.
        revisionsLink:
          review.state === 'revising' && (user.role === 'csp' || user.role === 'secretariat')
            ? `/reviews/${review.id}/items`
            : null,
        values: extra.values ?? {
          kind: missing,
          meetingId: nextMeeting(
            meetings,
            review.state === 'scheduled' || review.state === 'decision_scheduled' ? review.meeting?.id : undefined,
            toIsoDate(services.clock.now()),
          ),
        },
        errors: extra.errors,
        backLink:
          user.role === 'csp' ? { href: '/my-reviews', text: 'My reviews' } : { href: '/reviews', text: 'All reviews' },
      },
      status,
    );
  }

  router.get('/reviews/:id', async (req, res) => {
    await show(req, res, idParam(req));
  });

  router.post('/reviews/:id/events', async (req, res) => {
    const id = idParam(req);
    const payload = eventFromForm(req.body);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, payload);
        const item = typeof payload.itemId === 'number' && Number.isSafeInteger(payload.itemId) ? payload.itemId : null;
        res.redirect(`/reviews/${id}?done=${payload.type}${item ? `&item=${item}` : ''}`);
      },
      (errors, status) => {
        const reason = REASONS[String(payload.type)];
        const worded = reason
          ? friendlier(errors, { reason: { 'must not be empty': reason, 'is required': reason } })
          : errors;
        return show(req, res, id, { errors: onItsField(worded, payload), values: req.body }, status);
      },
      EVENT_LABELS,
      { values: req.body, choices: ['meetingId', 'category'], dates: ['publishedOn'] },
    );
  });

  router.post('/reviews/:id/documents', ctx.upload.single('file'), async (req, res) => {
    ctx.csrf.check(req);
    const id = idParam(req);
    await handleForm(
      async () => {
        const doc = await services.reviews.attachDocument(req.user!, id, {
          kind: req.body.kind,
          filename: req.file?.originalname ?? '',
          bytes: req.file?.buffer ?? Buffer.alloc(0),
        });
        // No #documents: a jump down the page would hide the banner that says what was uploaded.
        res.redirect(`/reviews/${id}?uploaded=${doc.id}`);
      },
      (errors, status) => show(req, res, id, { errors, values: { kind: req.body.kind } }, status),
      { kind: 'The kind of document', file: 'The file' },
      { values: { kind: req.body.kind }, choices: ['kind'] },
    );
  });

  router.get('/reviews/:id/documents/:documentId', async (req, res) => {
    const doc = await services.reviews.document(req.user!, idParam(req), idParam(req, 'documentId'));
    res.attachment(doc.filename).type(doc.contentType).send(doc.content);
  });
}

/** The review page's link to its QA checklist: the panel's marks once it has a meeting, the CSP's self-check before it submits. */
function qaChecklistLink(user: User, review: { state: string; meeting: unknown }): string | null {
  if (isHomeOffice(user) && review.meeting) return 'QA checklist: the report against the criteria';
  if (user.role === 'csp' && ['notified', 'revising'].includes(review.state))
    return 'Check your report against the QA criteria before you submit it';
  return null;
}
