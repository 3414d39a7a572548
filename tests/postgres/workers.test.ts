import { connect } from '../../src/db/connect';
import { smtpTransport } from '../../src/mail/transport';
import { createServices } from '../../src/services';
import { createTestApp, meeting, submittedReview, type TestApp } from '../helpers/app';
import { startSmtp } from '../helpers/smtp';

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

let smtp: Smtp;
let t: TestApp;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

/** A second, independent process's view of the same database: its own pool, services and worker. */
function anotherInstance() {
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
    // Each submission queues two: the CSP's acknowledgement and the team mailbox's notice.
    for (let i = 0; i < 15; i++) await submittedReview(t, `R${i}`);
    const queued = await t.db('outbox').where({ status: 'queued' }).pluck('message_id');
    expect(queued).toHaveLength(30);

    const a = anotherInstance();
    const b = anotherInstance();
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

    const instances = [anotherInstance(), anotherInstance(), anotherInstance()];
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
