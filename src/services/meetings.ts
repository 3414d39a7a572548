import { z } from 'zod';
import type { Db } from '../db/connect';
import type { User } from '../core/user';
import { toIsoDate, type Clock } from '../core/clock';
import { ForbiddenError, NotFoundError } from '../core/errors';
import { isoDate, parse } from '../core/validation';
import { DECISION_STATES, type ReviewState } from '../workflow/types';

export interface PanelMeeting {
  id: number;
  date: string;
}

const meetingSchema = z.strictObject({ date: isoDate });

const toMeeting = (r: { id: number; date: string }): PanelMeeting => ({ id: r.id, date: r.date });

function requireHomeOffice(user: User, action: string): void {
  if (user.role !== 'secretariat' && user.role !== 'panel') {
    throw new ForbiddenError(`Only the panel and its secretariat can ${action}`);
  }
}

export function createMeetings(db: Db, clock: Clock) {
  const newestFirst = () => db('panel_meetings').orderBy('date', 'desc').orderBy('id', 'desc').select('id', 'date');

  /** The meeting, for the Home Office only; 404 when there is none. */
  async function meetingRow(user: User, meetingId: number) {
    requireHomeOffice(user, 'see panel meetings');
    const row = await db('panel_meetings').where({ id: meetingId }).first('id', 'date');
    if (!row) throw new NotFoundError('No panel meeting has this id');
    return row;
  }

  return {
    async create(user: User, input: unknown): Promise<PanelMeeting> {
      if (user.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can add panel meetings');
      const data = parse(meetingSchema, input);
      const [row] = await db('panel_meetings').insert({ date: data.date }).returning(['id', 'date']);
      return toMeeting(row);
    },

    /** Every meeting, newest first. */
    async list(user: User): Promise<PanelMeeting[]> {
      requireHomeOffice(user, 'list panel meetings');
      return (await newestFirst()).map(toMeeting);
    },

    /**
     * The meetings a choice offers: the latest 36 (three years of monthly meetings; a
     * list of every meeting ever held would not be usable), and `include` as well.
     */
    async recent(user: User, include?: number | null): Promise<PanelMeeting[]> {
      requireHomeOffice(user, 'list panel meetings');
      const rows = await newestFirst().limit(36);
      if (include && !rows.some((r) => r.id === include)) {
        const extra = await db('panel_meetings').where({ id: include }).first('id', 'date');
        if (extra) rows.push(extra);
      }
      return rows.map(toMeeting);
    },

    /**
     * Every meeting, newest first, with how many reviews it has: those scheduled for
     * it and those it assessed (the same reviews as `get` lists).
     */
    async summaries(user: User): Promise<(PanelMeeting & { reviews: number })[]> {
      requireHomeOffice(user, 'list panel meetings');
      const rows = await db('panel_meetings as m')
        .orderBy([
          { column: 'm.date', order: 'desc' },
          { column: 'm.id', order: 'desc' },
        ])
        .select(
          'm.id',
          'm.date',
          db.raw(
            `(select count(*) from reviews r
               where r.meeting_id = m.id
                  or r.id in (select ro.review_id from rounds ro where ro.panel_meeting_id = m.id))::int as reviews`,
          ),
        );
      return rows.map((r) => ({ ...toMeeting(r), reviews: Number(r.reviews) }));
    },

    /** A meeting with the reviews on its agenda now and those it has already assessed. */
    async get(user: User, meetingId: number) {
      const row = await meetingRow(user, meetingId);
      const reviews = await db('reviews as r')
        .join('csps as c', 'c.id', 'r.csp_id')
        .where('r.meeting_id', meetingId)
        .orWhereIn('r.id', db('rounds').select('review_id').where('panel_meeting_id', meetingId))
        .orWhere('r.panel_view_meeting_id', meetingId)
        .orderBy('r.reference')
        .select(
          'r.id',
          'r.reference',
          'r.pseudonym',
          'r.state',
          'r.meeting_id',
          'r.panel_view_meeting_id',
          'c.id as csp_id',
          'c.name as csp_name',
        );
      const meeting = toMeeting(row);
      return {
        ...meeting,
        // Outcomes are recorded from the day of the meeting (the machine's meetingHeld guard).
        held: meeting.date <= toIsoDate(clock.now()),
        reviews: reviews.map((r) => ({
          id: r.id,
          reference: r.reference,
          pseudonym: r.pseudonym,
          state: r.state,
          // False for a review this meeting assessed that has since been scheduled for another one.
          currentMeeting: r.meeting_id === row.id,
          // A decision not to hold a review this meeting considered, that the panel disagreed with.
          decisionConsidered: r.meeting_id !== row.id && r.panel_view_meeting_id === row.id,
          csp: { id: r.csp_id, name: r.csp_name },
        })),
      };
    },

    /**
     * The pack for a meeting: each review on its agenda now (not those it assessed and that
     * have moved on), with the round it is in and every document, in two queries.
     */
    async pack(user: User, meetingId: number) {
      const row = await meetingRow(user, meetingId);
      const reviews = await db('reviews as r')
        .join('csps as c', 'c.id', 'r.csp_id')
        .where('r.meeting_id', meetingId)
        .orderBy('r.reference')
        .select(
          'r.id',
          'r.reference',
          'r.pseudonym',
          'r.state',
          db.raw(`(r.context->>'round')::int as round`),
          'r.decision_reason',
          'c.name as csp_name',
          db.raw(
            `(select coalesce(json_agg(json_build_object('id', d.id, 'kind', d.kind, 'filename', d.filename,
                'size', d.size, 'uploadedAt', d.uploaded_at) order by d.kind, d.id), '[]'::json)
                from documents d where d.review_id = r.id and d.removed_at is null) as documents`,
          ),
        );
      return {
        ...toMeeting(row),
        reviews: reviews.map((r) => ({
          id: r.id as number,
          reference: r.reference as string,
          pseudonym: r.pseudonym as string,
          state: r.state as string,
          // The round the panel now assesses: 1, or the resubmission's number.
          round: ((r.round as number | null) ?? 0) + 1,
          // A decision not to hold a review is on the agenda with its reason, rather than a report.
          decisionReason: [...DECISION_STATES, 'not_reviewed'].includes(r.state as ReviewState)
            ? (r.decision_reason as string)
            : null,
          csp: r.csp_name as string,
          documents: r.documents as { id: number; kind: string; filename: string; size: number; uploadedAt: string }[],
        })),
      };
    },
  };
}

export type Meetings = ReturnType<typeof createMeetings>;
