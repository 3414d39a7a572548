/** The composition root: every service built from the database, the clock, the mail transport and the settings. */
import type { Db } from '../db/connect';
import { createOutbox } from '../mail/outbox';
import { createMail } from './mail';
import type { Transport } from '../mail/transport';
import { createMailWorker, DEFAULT_WORKER_OPTIONS, type WorkerOptions } from '../mail/worker';
import { createAccountAdmin } from './accountAdmin';
import type { User } from '../core/user';
import { createAccounts } from './accounts';
import { systemClock, type Clock } from '../core/clock';
import { createDashboard } from './dashboard';
import { createDirectory } from './directory';
import { createHouseTemplates } from './houseTemplates';
import { createLetters } from './letters';
import { createMeetings } from './meetings';
import { createNotifications } from './notifications';
import { createNational } from './national';
import { createPipeline } from './pipeline';
import { reviewProgress } from './progress';
import { createRecommendations } from '../recommendations/service';
import { createOwners } from '../recommendations/owners';
import { createQaCriteria } from '../qa/criteria';
import { createQaChecklist } from '../qa/checklist';
import { createScoping } from '../intake/scoping';
import { createReminders } from './reminders';
import { createReports } from './reports';
import { createThemes } from '../recommendations/themeTags';
import { createTwoFactor } from './twoFactor';
import { createReviews } from './reviews';
import { createSettings } from './settings';
import { createStageTargets } from '../clocks/service';
import { createStageFigures } from '../clocks/figures';
import { createDistribution } from '../distribution/service';

export interface ServiceOptions {
  clock?: Clock;
  maxUploadBytes: number;
  /** Uploads one user may have in progress at once (UPLOADS_AT_ONCE). */
  uploadsAtOnce?: number;
  /** The secretariat and the panel must sign in with a second factor (TWO_FACTOR_REQUIRED). */
  twoFactorRequired?: boolean;
  sessionTtlHours: number;
  transport: Transport;
  mailFrom: string;
  publicUrl: string;
  worker?: Partial<WorkerOptions>;
}

export function createServices(db: Db, options: ServiceOptions) {
  const clock = options.clock ?? systemClock;
  const settings = createSettings(db);
  const stageTargets = createStageTargets(db, clock);
  const domain = /@([^>\s]+)/.exec(options.mailFrom)?.[1] ?? 'dhr-qa.local';
  const outbox = createOutbox(db, clock, { from: options.mailFrom, domain });
  const templates = createHouseTemplates(db, clock, settings);
  const letters = createLetters(db, clock, settings, outbox, templates);
  const ownerDeps = { settings, outbox, templates, publicUrl: options.publicUrl };
  const qaCriteria = createQaCriteria(db, clock);
  const recommendations = createRecommendations(db, clock, ownerDeps);
  const pipeline = createPipeline(db);
  const notifications = createNotifications(settings, outbox, templates, { publicUrl: options.publicUrl });
  const stageFigures = createStageFigures(db, clock, stageTargets);
  return {
    db,
    clock,
    settings,
    stageTargets,
    stageFigures,
    outbox,
    mail: createMail(db, clock, outbox),
    templates,
    letters,
    accounts: createAccounts(db, clock, {
      sessionTtlHours: options.sessionTtlHours,
      twoFactorRequired: options.twoFactorRequired ?? true,
    }),
    twoFactor: createTwoFactor(db, clock),
    accountAdmin: createAccountAdmin(db, clock, { outbox, templates, settings, publicUrl: options.publicUrl }),
    directory: createDirectory(db),
    meetings: createMeetings(db, clock),
    reviews: createReviews(db, clock, {
      maxUploadBytes: options.maxUploadBytes,
      letters,
      settings,
      stageTargets,
      notifications,
    }),
    pipeline,
    distribution: createDistribution(db, clock, { settings, outbox, templates }),
    dashboard: createDashboard(db, clock, pipeline, stageTargets, stageFigures),
    reminders: createReminders(db, clock, settings, stageTargets, letters, outbox, templates, {
      publicUrl: options.publicUrl,
    }),
    mailWorker: createMailWorker(db, clock, outbox, options.transport, {
      ...DEFAULT_WORKER_OPTIONS,
      ...options.worker,
      onFailed: notifications.deliveryFailed,
    }),
    /** Where each of some reviews stands (meeting, round, items to do), in one query. */
    progress: (user: User, reviewIds: number[]) => reviewProgress(db, user, reviewIds),
    recommendations,
    owners: createOwners(db, clock, ownerDeps),
    qaCriteria,
    qaChecklist: createQaChecklist(db, clock, qaCriteria),
    scoping: createScoping(db, clock),
    national: createNational(db, clock),
    reports: createReports(db, recommendations, clock, settings),
    themes: createThemes(db, clock),
    transport: options.transport,
    maxUploadBytes: options.maxUploadBytes,
    uploadsAtOnce: options.uploadsAtOnce,
  };
}

export type Services = ReturnType<typeof createServices>;
