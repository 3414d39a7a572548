import type { Db } from '../db/connect';
import type { Clock } from '../core/clock';
import { ForbiddenError } from '../core/errors';
import { PUBLISHED_STATES, readsNational } from '../core/scope';
import type { User } from '../core/user';
import { dayOf, type DayUnit } from './days';
import type { StageTargetsService } from './service';
import { CLOCK_SOURCE_COLUMNS, clockSourceOf } from './due';
import { STAGES, STAGE_NAMES, stageClocks, type Stage } from './stages';

/** How long one stage took over a set of reviews: how many ended, the median and 90th percentile, the share on target. */
export interface StageFigure {
  ended: number;
  median: number | null;
  p90: number | null;
  /** Per cent of those ended within the target that applied to each. */
  metPercent: number | null;
}

export interface StageFigures {
  /** The stage the per-quarter and per-CSP tables are about. */
  stage: Stage;
  /** Each stage's durations are given in its current target's unit. */
  units: Record<Stage, DayUnit>;
  /** Every stage, over the last twelve months (stages that ended in them). */
  stages: ({ stage: Stage; name: string } & StageFigure)[];
  /** The chosen stage, per calendar quarter it ended in, newest first (the last eight quarters). */
  quarters: ({ quarter: string; label: string } & StageFigure)[];
  /** The chosen stage per CSP, over the last twelve months, slowest median first. */
  csps: ({ cspId: number; csp: string } & StageFigure)[];
  /** The first day of the twelve months the stage and CSP tables cover. */
  since: string;
}

const QUARTER_MONTHS = ['January to March', 'April to June', 'July to September', 'October to December'];
const quarterOf = (day: string) => `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
const quarterLabel = (q: string) => `${QUARTER_MONTHS[Number(q.slice(-1)) - 1]} ${q.slice(0, 4)}`;

/** The median and the 90th percentile (nearest rank) of some durations, and the share met. */
function figureOf(clocks: { elapsed: number; met: boolean }[]): StageFigure {
  if (clocks.length === 0) return { ended: 0, median: null, p90: null, metPercent: null };
  const sorted = clocks.map((c) => c.elapsed).sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    ended: sorted.length,
    median,
    p90: sorted[Math.ceil(sorted.length * 0.9) - 1]!,
    metPercent: Math.round((100 * clocks.filter((c) => c.met).length) / clocks.length),
  };
}

/** How long measured clocks are served again before they are measured afresh. */
const REUSE_MS = 10 * 60_000;
/** Reviews measured between two turns of the event loop, so other requests are served meanwhile. */
const CHUNK = 500;

/**
 * The national figures of the stage clocks: how long each stage took, per quarter and per CSP.
 * Every review's clocks are measured from its changes of state (one statement) as its page
 * measures them: at national volume a second's work, so the measurements are kept for ten
 * minutes (figures of ended stages move slowly), and afresh at once when the targets change or
 * the day turns. The work yields to other requests every few hundred reviews.
 */
export function createStageFigures(db: Db, clock: Clock, stageTargets: StageTargetsService) {
  /** A stage that ended, as the figures count it. */
  type Ended = {
    stage: Stage;
    endedOn: string;
    elapsed: number;
    met: boolean;
    cspId: number;
    csp: string;
    /** Of a review whose report is published: all that oversight counts, as all it reads. */
    published: boolean;
  };
  let kept: { key: string; at: number; work: Promise<Ended[]>; figures: Map<string, StageFigures> } | null = null;

  async function measureAll(today: string) {
    const { rows } = await db.raw(
      `select r.id, r.csp_id, r.state, c.name as csp_name, ${CLOCK_SOURCE_COLUMNS}
         from reviews r join csps c on c.id = r.csp_id`,
    );
    const { versions, current } = await stageTargets.get();
    const holidays = await stageTargets.holidays();
    // The same clocks measured in each stage's current unit, so that a unit changed since is not mixed in.
    const inCurrentUnits = versions.map((v) => ({
      ...v,
      targets: Object.fromEntries(
        STAGES.map((s) => [s, { ...v.targets[s], unit: current.targets[s].unit }]),
      ) as typeof v.targets,
    }));
    const ended: Ended[] = [];
    for (let at = 0; at < rows.length; at += CHUNK) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const r of (rows as Record<string, unknown>[]).slice(at, at + CHUNK)) ended.push(...measure(r));
    }
    return ended;

    function measure(r: Record<string, unknown>): Ended[] {
      const source = clockSourceOf(r);
      const clocks = stageClocks(source, versions, holidays, today);
      const measured = stageClocks(source, inCurrentUnits, holidays, today);
      return clocks.flatMap((c, i) =>
        c.endedOn === null
          ? []
          : [
              {
                stage: c.stage,
                endedOn: c.endedOn,
                elapsed: measured[i]!.elapsed,
                met: c.status === 'met',
                cspId: r.csp_id as number,
                csp: r.csp_name as string,
                published: (PUBLISHED_STATES as readonly unknown[]).includes(r.state),
              },
            ],
      );
    }
  }

  async function measured(today: string) {
    const { current } = await stageTargets.get();
    const key = `${today} ${current.version}`;
    const now = Date.now();
    if (kept?.key !== key || now - kept.at > REUSE_MS) {
      const work = measureAll(today);
      kept = { key, at: now, work, figures: new Map() };
      // A failed reading is not kept: the next request tries again.
      work.catch(() => {
        if (kept?.work === work) kept = null;
      });
    }
    return kept;
  }

  return {
    async figures(user: User, query: { stage?: unknown } = {}): Promise<StageFigures> {
      if (!readsNational(user)) {
        throw new ForbiddenError('Only the panel, its secretariat and oversight can see the national figures');
      }
      const stage = STAGES.includes(query.stage as Stage) ? (query.stage as Stage) : 'panel_to_letter';
      const today = dayOf(clock.now());
      const since = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
      const held = await measured(today);
      const publishedOnly = user.role === 'commissioner';
      const measuredClocks = await held.work;
      const done = held.figures.get(`${stage} ${publishedOnly}`);
      if (done) return done;
      // Every request for the figures between two measurements is served the kept figures above,
      // without a pass over each clock measured (tens of thousands at national volume).
      const ended = measuredClocks.filter((c) => !publishedOnly || c.published);
      const { current } = await stageTargets.get();
      const recent = ended.filter((c) => c.endedOn! > since);
      const ofStage = ended.filter((c) => c.stage === stage);
      const quarters = [...new Set(ofStage.map((c) => quarterOf(c.endedOn!)))].sort().reverse().slice(0, 8);
      const csps = new Map<number, string>();
      for (const c of recent) if (c.stage === stage) csps.set(c.cspId, c.csp);
      const figures: StageFigures = {
        stage,
        units: Object.fromEntries(STAGES.map((s) => [s, current.targets[s].unit])) as Record<Stage, DayUnit>,
        stages: STAGES.map((s) => ({
          stage: s,
          name: STAGE_NAMES[s].name,
          ...figureOf(recent.filter((c) => c.stage === s)),
        })),
        quarters: quarters.map((q) => ({
          quarter: q,
          label: quarterLabel(q),
          ...figureOf(ofStage.filter((c) => quarterOf(c.endedOn!) === q)),
        })),
        csps: [...csps]
          .map(([cspId, csp]) => ({
            cspId,
            csp,
            ...figureOf(recent.filter((c) => c.stage === stage && c.cspId === cspId)),
          }))
          .sort((a, b) => b.median! - a.median! || a.csp.localeCompare(b.csp)),
        since,
      };
      held.figures.set(`${stage} ${publishedOnly}`, figures);
      return figures;
    },
  };
}

export type StageFiguresService = ReturnType<typeof createStageFigures>;
