import { connect } from '../../src/db/connect';
import { smtpTransport } from '../../src/mail/transport';
import { createServices } from '../../src/services';
import { createTestApp, meeting, submittedReview, type TestApp } from '../helpers/app';
import { startSmtp } from '../helpers/smtp';

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/**
 * Each test has an app and an SMTP server of its own: the first counts every message queued, and the
 * second moves the clock on a month, past the sessions the first would sign in with.
 */
const made: { t: TestApp; smtp: Smtp }[] = [];
async function appWithSmtp() {
  const smtp = await startSmtp();
  const t = await createTestApp();
  made.push({ t, smtp });
  return { t, smtp };
}
afterAll(async () => {
  for (const { t, smtp } of made) {
    await t.close();
    await smtp.stop();
  }
});

/** A second, independent process's view of the same database: its own pool, services and worker. */
function anotherInstance({ t, smtp }: { t: TestApp; smtp: Smtp }) {
  const db = connect({
    databaseUrl: (t.db.client.config as { connection: { connectionString: string } }).connection.connectionString,
  });
  const services = createServices(db, {
    clock: t.clock,
    maxUploadBytes: 1024 * 1024,
    sessionTtlHours: 12,
    transport: smtpTransport(smtp.url()),
    mailFrom: 'DHR QA <dhr-qa@test.example>',
    publicUrl: 'http://dhr-qa.test',
    worker: { batchSize: 3 },
  });
  return { services, close: () => db.destroy() };
}

describe('several workers on one PostgreSQL', () => {
  it('send every queued message exactly once', async () => {
    const app = await appWithSmtp();
    const { t, smtp } = app;
    // Each submission queues two: the CSP's acknowledgement and the team mailbox's notice.
    for (let i = 0; i < 15; i++) await submittedReview(t, `R${i}`);
    const queued = await t.db('outbox').where({ status: 'queued' }).pluck('message_id');
    expect(queued).toHaveLength(30);

    const a = anotherInstance(app);
    const b = anotherInstance(app);
    try {
      const before = smtp.received.length;
      const results = await Promise.all([a.services.mailWorker.runOnce(), b.services.mailWorker.runOnce()]);
      expect(results[0]!.sent + results[1]!.sent).toBe(30);
      const delivered = smtp.received
        .slice(before)
        .map((m) => m.messageId)
        .sort();
      expect(delivered).toEqual([...queued].sort());
      expect(await t.db('outbox').whereNot({ status: 'sent' })).toHaveLength(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('send each reminder once however many instances look for them at the same time', async () => {
    const app = await appWithSmtp();
    const { t } = app;
    const id = await submittedReview(t, 'Late');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-02') });
    await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'resubmit',
      commendations: '',
      areas: [{ text: 'Involve the family.' }],
    });
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    t.clock.advance(30 * 86_400_000);

    const instances = [anotherInstance(app), anotherInstance(app), anotherInstance(app)];
    try {
      const results = await Promise.all(instances.map((i) => i.services.reminders.runOnce()));
      expect(results.reduce((n, r) => n + r.revisionReminders, 0)).toBe(1);
      expect(await t.db('outbox').where({ review_id: id, kind: 'revision_reminder' })).toHaveLength(1);
      expect(await t.db('review_events').where({ review_id: id, type: 'REVISION_REMINDER_SENT' })).toHaveLength(1);
    } finally {
      await Promise.all(instances.map((i) => i.close()));
    }
  });
});
