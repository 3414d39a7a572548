import type express from 'express';
import type { Request, Response } from 'express';
import { longDate } from '../../../core/dates';
import { dateFrom, handleForm, render, type PageError } from '../../forms';
import type { WebContext } from '../../context';
import { idParam } from '../../../http';
import { allowRoles } from '../../roles';

/** States in which the panel's outcome can be recorded (scheduled) or corrected (letter_pending). */
const OUTCOME_STATES = ['scheduled', 'letter_pending'];
/** The same for a decision not to hold a review: the panel's view is recorded, then corrected until its letter goes. */
const VIEW_STATES = ['decision_scheduled', 'decision_letter_pending'];
/** States whose letter the meeting's "send all" sends. */
const LETTER_STATES = ['letter_pending', 'decision_letter_pending'];

/**
 * The date boxes' errors in GOV.UK's words, linked to the day box. The service
 * speaks of YYYY-MM-DD, which is the API's format, not what was typed here.
 */
function dateErrors(errors: PageError[]): PageError[] {
  return errors.map((e) => {
    if (e.field !== 'date') return e;
    const message = /^is required$/.test(e.said ?? e.message)
      ? 'Enter the date of the panel meeting'
      : 'The date of the panel meeting must be a real date, for example 15 4 2026';
    return { ...e, message, href: '#date-day' };
  });
}

/** Panel meetings: the list (and adding one), each meeting's agenda, and sending its letters. */
export function meetingRoutes(router: express.Router, { services }: WebContext) {
  async function list(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, unknown> } = {},
    status = 200,
  ) {
    const meetings = await services.meetings.summaries(req.user!);
    const added = meetings.find((m) => String(m.id) === req.query.added);
    render(
      req,
      res,
      'secretariat/meetings/index',
      {
        title: 'Panel meetings',
        meetings,
        canAdd: req.user!.role === 'secretariat',
        values: extra.values ?? {},
        errors: extra.errors,
        banner: added ? { success: true, text: `Panel meeting of ${longDate(added.date)} added` } : null,
      },
      status,
    );
  }

  router.get('/meetings', async (req, res) => {
    await list(req, res);
  });

  router.post('/meetings', async (req, res) => {
    allowRoles(req, ['secretariat'], 'Only the panel secretariat can add panel meetings');
    const values = {
      'date-day': String(req.body['date-day'] ?? ''),
      'date-month': String(req.body['date-month'] ?? ''),
      'date-year': String(req.body['date-year'] ?? ''),
    };
    await handleForm(
      async () => {
        const meeting = await services.meetings.create(req.user!, { date: dateFrom(values, 'date') });
        res.redirect(`/meetings?added=${meeting.id}`);
      },
      (errors, status) => list(req, res, { errors: dateErrors(errors), values }, status),
    );
  });

  router.get('/meetings/:id', async (req, res) => {
    const user = req.user!;
    const meeting = await services.meetings.get(user, idParam(req));
    const reviews = meeting.reviews.map((r) => {
      // Before the day of the meeting there is no outcome or view to record yet (the machine refuses it).
      const open = r.currentMeeting && (meeting.held || (r.state !== 'scheduled' && r.state !== 'decision_scheduled'));
      if (VIEW_STATES.includes(r.state))
        return {
          ...r,
          decision: true,
          outcomeLink: open ? `/reviews/${r.id}/panel-view` : null,
          outcomeText: r.state === 'decision_letter_pending' ? "Correct the panel's view" : "Record the panel's view",
        };
      return {
        ...r,
        // One the panel agreed with ends here, not held.
        decision: r.state === 'not_reviewed',
        outcomeLink:
          open && OUTCOME_STATES.includes(r.state) ? `/meetings/${meeting.id}/reviews/${r.id}/outcome` : null,
        outcomeText: r.state === 'letter_pending' ? 'Correct the outcome' : 'Record the outcome',
      };
    });
    render(req, res, 'secretariat/meetings/show', {
      title: `Panel meeting of ${longDate(meeting.date)}`,
      meeting,
      reviews,
      canSendLetters: user.role === 'secretariat' && reviews.some((r) => LETTER_STATES.includes(r.state)),
      backLink: { href: '/meetings', text: 'All panel meetings' },
    });
  });

  // A page to print (or save as PDF) for the panel: the agenda's reviews and their documents.
  router.get('/meetings/:id/pack', async (req, res) => {
    const meeting = await services.meetings.pack(req.user!, idParam(req));
    render(req, res, 'secretariat/meetings/pack', {
      title: `Meeting pack: panel meeting of ${longDate(meeting.date)}`,
      meeting,
      backLink: { href: `/meetings/${meeting.id}`, text: 'Back to the agenda' },
    });
  });

  router.post('/meetings/:id/send-letters', async (req, res) => {
    const user = allowRoles(req, ['secretariat'], 'Only the panel secretariat can send letters');
    const id = idParam(req);
    const meeting = await services.meetings.get(user, id);
    const result = await services.reviews.sendMeetingLetters(user, id);
    render(req, res, 'secretariat/meetings/letters-sent', {
      title: `Letters of the panel meeting of ${longDate(meeting.date)}`,
      meeting,
      ...result,
      banner: result.sent.length
        ? {
            success: true,
            text: `${result.sent.length === 1 ? '1 letter' : `${result.sent.length} letters`} sent to the CSPs, with copies to the PCCs`,
          }
        : null,
      backLink: { href: `/meetings/${id}`, text: 'Back to the agenda' },
    });
  });
}
