import { addDays, countDays, dayOf } from '../../src/clocks/days';
import { SHIPPED_BANK_HOLIDAYS, SHIPPED_DUE_SOON_DAYS, SHIPPED_TARGETS } from '../../src/clocks/defaults';
import { stageClocks, type ClockSource, type TargetVersion } from '../../src/clocks/stages';

const HOLIDAYS = new Set(SHIPPED_BANK_HOLIDAYS.map((h) => h.date));
const SHIPPED: TargetVersion = {
  version: 0,
  from: '0000-01-01',
  targets: SHIPPED_TARGETS,
  dueSoonDays: SHIPPED_DUE_SOON_DAYS,
};

/** A review's changes of state, each [from, to, moment, pause category?]. */
function review(changes: [string | null, string, string, string?][], rounds: ClockSource['rounds'] = []): ClockSource {
  return {
    notifiedOn: '2026-01-05',
    publishedOn: null,
    createdAt: '2026-01-05T09:00:00Z',
    history: changes.map(([from, to, at, category]) => ({
      from,
      to,
      at,
      category: (category ?? null) as ClockSource['history'][number]['category'],
    })),
    rounds,
  };
}

const NOTIFIED_AND_SUBMITTED: [string | null, string, string][] = [
  [null, 'notified', '2026-01-05T09:00:00Z'],
  ['notified', 'submitted', '2026-02-02T09:00:00Z'],
  ['submitted', 'scheduled', '2026-02-03T09:00:00Z'],
  ['scheduled', 'letter_pending', '2026-03-18T15:00:00Z'],
];

describe('counting days', () => {
  it('counts working days without weekends and bank holidays: Easter 2026 takes two', () => {
    expect(countDays('2026-04-01', '2026-04-08', 'days', HOLIDAYS)).toBe(7);
    expect(countDays('2026-04-01', '2026-04-08', 'working_days', HOLIDAYS)).toBe(3);
    expect(countDays('2026-04-08', '2026-04-01', 'working_days', HOLIDAYS)).toBe(0);
  });

  it('counts working days, by whole weeks, as a day-by-day count would over any span', () => {
    const naive = (from: string, to: string) => {
      let n = 0;
      for (let day = addDays(from, 1, 'days', HOLIDAYS); day <= to; day = addDays(day, 1, 'days', HOLIDAYS)) {
        if (![0, 6].includes(new Date(day).getUTCDay()) && !HOLIDAYS.has(day)) n++;
      }
      return n;
    };
    for (let i = 0; i < 200; i++) {
      const from = addDays('2019-12-01', (i * 37) % 3000, 'days', HOLIDAYS);
      const to = addDays(from, (i * 53) % 400, 'days', HOLIDAYS);
      expect([from, to, countDays(from, to, 'working_days', HOLIDAYS)]).toEqual([from, to, naive(from, to)]);
    }
  });

  it('finds the day a number of working days on, over Christmas and its substitute day', () => {
    expect(addDays('2026-12-23', 3, 'working_days', HOLIDAYS)).toBe('2026-12-30');
    expect(addDays('2026-12-23', 3, 'days', HOLIDAYS)).toBe('2026-12-26');
  });

  it('takes a moment on the day it fell in England and Wales', () => {
    expect(dayOf('2026-04-14T23:30:00Z')).toBe('2026-04-15'); // 00:30 BST
    expect(dayOf('2026-01-14T23:30:00Z')).toBe('2026-01-14'); // GMT
  });

  it('takes every moment of the days the clocks go forward and back on the day it fell', () => {
    const inLondon = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', dateStyle: 'short' });
    for (const start of ['2026-03-28T00:00:00Z', '2026-10-24T00:00:00Z']) {
      for (let minutes = 0; minutes < 3 * 24 * 60; minutes += 15) {
        const moment = new Date(Date.parse(start) + minutes * 60_000).toISOString();
        expect([moment, dayOf(moment)]).toEqual([moment, inLondon.format(new Date(moment))]);
      }
    }
    expect(dayOf('2026-10-24T23:30:00Z')).toBe('2026-10-25'); // 00:30 BST, the night the clocks go back
    expect(dayOf('2026-10-25T23:30:00Z')).toBe('2026-10-25'); // 23:30 GMT
  });

  it('counts a holiday typed on a weekend day once, as the weekend day it is', () => {
    const boxingDayOnASaturday = new Set(['2026-12-25', '2026-12-26']);
    expect(countDays('2026-12-21', '2026-12-28', 'working_days', boxingDayOnASaturday)).toBe(4);
    expect(addDays('2026-12-24', 1, 'working_days', boxingDayOnASaturday)).toBe('2026-12-28');
  });

  it('ships the bank holidays of England and Wales, none on a weekend', () => {
    for (const { date } of SHIPPED_BANK_HOLIDAYS) expect([0, 6]).not.toContain(new Date(date).getUTCDay());
    expect(SHIPPED_BANK_HOLIDAYS.filter((h) => h.date.startsWith('2027'))).toHaveLength(8);
  });
});

describe('stage clocks', () => {
  it('measures a letter sent four weeks after its meeting over Easter as 18 working days, over the target of 15', () => {
    const source = review(
      [...NOTIFIED_AND_SUBMITTED, ['letter_pending', 'revising', '2026-04-15T10:00:00Z']],
      [
        {
          number: 1,
          outcome: 'publish_after_changes',
          meetingDate: '2026-03-18',
          letterSentAt: '2026-04-15T10:00:00Z',
        },
      ],
    );
    const clocks = stageClocks(source, [SHIPPED], HOLIDAYS, '2026-04-20');
    expect(clocks.map((c) => [c.stage, c.round, c.startedOn, c.endedOn, c.elapsed, c.status])).toEqual([
      ['notification_to_submission', null, '2026-01-05', '2026-02-02', 28, 'met'],
      ['submission_to_panel', 1, '2026-02-02', '2026-03-18', 44, 'met'],
      ['panel_to_letter', 1, '2026-03-18', '2026-04-15', 18, 'missed'],
      ['letter_to_revisions', 1, '2026-04-15', null, 5, 'on_track'],
    ]);
    expect(clocks[3]).toMatchObject({ dueOn: '2026-05-13', target: { days: 28, unit: 'days' } });
  });

  it('leaves time on hold out, says when a running clock is due soon, and why a paused one waits', () => {
    const sent = [
      ...NOTIFIED_AND_SUBMITTED,
      ['letter_pending', 'revising', '2026-05-01T10:00:00Z'],
      ['revising', 'on_hold', '2026-05-10T10:00:00Z', 'inquest'],
    ] as [string | null, string, string, string?][];
    const rounds = [
      { number: 1, outcome: 'resubmit', meetingDate: '2026-03-18', letterSentAt: '2026-05-01T10:00:00Z' },
    ];

    const paused = stageClocks(review(sent, rounds), [SHIPPED], HOLIDAYS, '2026-05-15').at(-1)!;
    expect(paused).toMatchObject({ stage: 'letter_to_revisions', status: 'paused', pausedFor: 'inquest' });
    expect(paused).toMatchObject({ elapsed: 9, pausedDays: 5, dueOn: null });

    const resumed = review([...sent, ['on_hold', 'revising', '2026-05-20T10:00:00Z']], rounds);
    const clock = stageClocks(resumed, [SHIPPED], HOLIDAYS, '2026-06-05').at(-1)!;
    // 35 days from the letter, 10 of them on hold: 25 of 28, 3 left.
    expect(clock).toMatchObject({ elapsed: 25, pausedDays: 10, status: 'due_soon', dueOn: '2026-06-08' });
    expect(stageClocks(resumed, [SHIPPED], HOLIDAYS, '2026-06-09').at(-1)).toMatchObject({
      elapsed: 29,
      status: 'overdue',
      // The last day within target stays where it was, the time on hold stepped over.
      dueOn: '2026-06-08',
    });
  });

  it('stops the clocks of a withdrawn review, and counts the time withdrawn as on hold when it is reinstated', () => {
    const withdrawn: [string | null, string, string][] = [
      [null, 'notified', '2026-01-05T09:00:00Z'],
      ['notified', 'withdrawn', '2026-01-15T09:00:00Z'],
    ];
    expect(stageClocks(review(withdrawn), [SHIPPED], HOLIDAYS, '2026-03-01')[0]).toMatchObject({
      status: 'stopped',
      elapsed: 10,
    });
    const reinstated = review([...withdrawn, ['withdrawn', 'notified', '2026-02-14T09:00:00Z']]);
    expect(stageClocks(reinstated, [SHIPPED], HOLIDAYS, '2026-03-01')[0]).toMatchObject({
      status: 'on_track',
      elapsed: 25,
      pausedDays: 30,
    });
  });

  it('gives each submission its own clock to the panel, and an approved review its clock to the day it was published', () => {
    const source = review(
      [
        ...NOTIFIED_AND_SUBMITTED,
        ['letter_pending', 'revising', '2026-03-20T10:00:00Z'],
        ['revising', 'resubmitted', '2026-04-10T10:00:00Z'],
        ['resubmitted', 'scheduled', '2026-04-11T10:00:00Z'],
        ['scheduled', 'letter_pending', '2026-05-20T10:00:00Z'],
        ['letter_pending', 'approved', '2026-05-22T10:00:00Z'],
        ['approved', 'published', '2026-06-01T10:00:00Z'],
      ],
      [
        { number: 1, outcome: 'resubmit', meetingDate: '2026-03-18', letterSentAt: '2026-03-20T10:00:00Z' },
        { number: 2, outcome: 'publish', meetingDate: '2026-05-20', letterSentAt: '2026-05-22T10:00:00Z' },
      ],
    );
    // Published on 29 May, recorded on 1 June: the stage ends when the report was published.
    const clocks = stageClocks({ ...source, publishedOn: '2026-05-29' }, [SHIPPED], HOLIDAYS, '2026-06-10');
    expect(clocks.map((c) => [c.stage, c.round, c.elapsed, c.status])).toEqual([
      ['notification_to_submission', null, 28, 'met'],
      ['submission_to_panel', 1, 44, 'met'],
      ['submission_to_panel', 2, 40, 'met'],
      ['panel_to_letter', 1, 2, 'met'],
      ['letter_to_revisions', 1, 21, 'met'],
      ['panel_to_letter', 2, 2, 'met'],
      ['approval_to_publication', 2, 7, 'met'],
    ]);
  });

  it('keeps for a stage the target in force when it began: a changed target applies to stages begun after', () => {
    const tighter: TargetVersion = {
      version: 1,
      from: '2026-04-01',
      targets: { ...SHIPPED_TARGETS, panel_to_letter: { days: 10, unit: 'working_days' } },
      dueSoonDays: 2,
    };
    const begunBefore = review(NOTIFIED_AND_SUBMITTED, [
      { number: 1, outcome: 'publish', meetingDate: '2026-03-18', letterSentAt: null },
    ]);
    expect(stageClocks(begunBefore, [SHIPPED, tighter], HOLIDAYS, '2026-04-01').at(-1)).toMatchObject({
      targetVersion: 0,
      target: { days: 15, unit: 'working_days' },
      elapsed: 10,
      status: 'due_soon',
      dueOn: '2026-04-10',
    });
    const begunAfter = review(NOTIFIED_AND_SUBMITTED, [
      { number: 1, outcome: 'publish', meetingDate: '2026-04-15', letterSentAt: null },
    ]);
    expect(stageClocks(begunAfter, [SHIPPED, tighter], HOLIDAYS, '2026-04-20').at(-1)).toMatchObject({
      targetVersion: 1,
      target: { days: 10 },
      elapsed: 3,
      status: 'on_track',
    });
  });
});
