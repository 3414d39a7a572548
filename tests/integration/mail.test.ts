import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { smtpTransport } from '../../src/mail/transport';
import { createMailWorker } from '../../src/mail/worker';
import { createTestApp, meeting, memoised, submittedReview, type TestApp } from '../helpers/app';
import { startSmtp } from '../helpers/smtp';

/** An app whose mail goes through a real SMTP server of its own, each closed after the file's tests. */
const made: { t: TestApp; smtp: Awaited<ReturnType<typeof startSmtp>> }[] = [];
async function appWithSmtp() {
  const smtp = await startSmtp();
  const t = await createTestApp({
    transport: smtpTransport(smtp.url()),
    worker: { maxAttempts: 3, baseDelayMs: 60_000, leaseMs: 300_000 },
  });
  made.push({ t, smtp });
  return { t, smtp };
}
afterAll(async () => {
  for (const { t, smtp } of made) {
    await t.close();
    await smtp.stop();
  }
});
/**
 * The app the tests that only send share. A test that stops the SMTP server or moves the clock has
 * one of its own: what it leaves queued, failed or due later is then no other test's.
 */
const shared = memoised(appWithSmtp);

const AREAS = [
  { text: 'Remove the date of death from the report.' },
  { heading: 'Structure', text: 'Add an Equality & Diversity section.' },
];

/** A review whose outcome letter has just been sent, with its queued mail. */
async function letterSent(t: TestApp, pseudonym: string): Promise<number> {
  const id = await submittedReview(t, pseudonym);
  await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
  await t
    .api('panel')
    .event(id, { type: 'RECORD_OUTCOME', outcome: 'publish_after_changes', commendations: 'Thorough.', areas: AREAS });
  const sent = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
  expect(sent.status).toBe(200);
  return id;
}

const mailOf = async (t: TestApp, reviewId: number) =>
  (await t.api('secretariat').get(`/mail?reviewId=${reviewId}`)).body;

describe('mail through a real SMTP server', () => {
  it('delivers the acknowledgement and the letter to the CSP with the PCC in copy and the PDF attached', async () => {
    const { t, smtp } = await shared();
    const id = await letterSent(t, 'Mary');
    const before = smtp.received.length;
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 3, retry: 0, failed: 0 });
    const [ack, submitted, letter] = smtp.received.slice(before);

    // The secretariat's team mailbox (the DHR mailbox until one is set) hears of the submission, with a link to act on it.
    expect(submitted!.subject).toMatch(/^DHR-2026-\d{4} \(Mary\) submitted by Kent CSP$/);
    expect(submitted!.to).toMatchObject({ value: [{ address: 'dhr-enquiries@dhr-qa.example' }] });
    expect(submitted!.text).toContain(`Schedule it for a panel meeting: http://dhr-qa.test/reviews/${id}`);

    expect(ack!.subject).toMatch(/submission received/);
    expect(ack!.to).toMatchObject({ value: [{ address: 'sam@kent.example' }] });
    expect(ack!.cc).toBeUndefined();
    expect(ack!.attachments).toHaveLength(0);

    expect(letter!.subject).toMatch(
      /^Domestic Homicide Review DHR-2026-\d{4} \(Mary\): feedback from the Quality Assurance Panel$/,
    );
    expect(letter!.from).toMatchObject({ value: [{ address: 'dhr-qa@test.example' }] });
    expect(letter!.to).toMatchObject({ value: [{ address: 'sam@kent.example' }] });
    expect(letter!.cc).toMatchObject({ value: [{ address: 'pcc@kent.example' }] });
    expect(letter!.replyTo).toMatchObject({ value: [{ address: 'dhr-enquiries@dhr-qa.example' }] });
    expect(letter!.text).toContain('Remove the date of death from the report.');
    expect(letter!.text).toContain('Add an Equality & Diversity section.');
    expect(letter!.html).toContain('Add an Equality &amp; Diversity section.');
    expect(letter!.attachments).toHaveLength(1);
    expect(letter!.attachments[0]).toMatchObject({
      contentType: 'application/pdf',
      filename: expect.stringMatching(/Mary - QA Panel feedback\.pdf$/),
    });
    expect(letter!.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(smtp.envelopes.slice(before)[2]!.to.sort()).toEqual(['pcc@kent.example', 'sam@kent.example']);

    const listed = await mailOf(t, id);
    const outcome = listed.find((m: { kind: string }) => m.kind === 'publish_after_changes');
    expect(outcome).toMatchObject({ status: 'sent', attempts: 1, lastError: null, sentAt: expect.any(String) });
    expect(letter!.messageId).toBe(outcome.messageId);

    // Nothing left to send: a second pass sends nothing again.
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 0, retry: 0, failed: 0 });
  });

  it('shows any message as it was sent, with the same Message-ID', async () => {
    const { t } = await shared();
    const id = await letterSent(t, 'Nina');
    await t.services.mailWorker.runOnce();
    const message = (await mailOf(t, id)).find((m: { kind: string }) => m.kind === 'publish_after_changes');
    const eml = await t.api('secretariat').get(`/mail/${message.id}/eml`).buffer(true);
    expect(eml.headers['content-type']).toMatch(/^message\/rfc822/);
    const parsed = await simpleParser(eml.text ?? eml.body);
    expect(parsed.messageId).toBe(message.messageId);
    expect(parsed.attachments).toHaveLength(1);
    const detail = await t.api('secretariat').get(`/mail/${message.id}`);
    expect(detail.body.text).toContain('Remove the date of death');
    expect((await t.api('kent').get(`/mail/${message.id}`)).status).toBe(403);
    expect((await t.api('kent').get('/mail')).status).toBe(403);
  });
});

describe('when SMTP is down', () => {
  it('keeps the message queued, retries with growing waits, and delivers it exactly once when SMTP returns', async () => {
    const { t, smtp } = await appWithSmtp();
    const id = await letterSent(t, 'Olga');
    await smtp.stop();
    try {
      expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 0, retry: 3, failed: 0 });
      let queued = await mailOf(t, id);
      expect(queued.map((m: { status: string; attempts: number }) => [m.status, m.attempts])).toEqual([
        ['queued', 1],
        ['queued', 1],
        ['queued', 1],
      ]);
      expect(queued[0].lastError).toMatch(/ECONNREFUSED|ESOCKET|connect/i);
      const firstWait = Date.parse(queued[0].nextAttemptAt);

      // Not due yet: nothing is tried.
      expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 0, retry: 0, failed: 0 });
      t.clock.advance(61_000);
      expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 0, retry: 3, failed: 0 });
      queued = await mailOf(t, id);
      expect(queued[0].attempts).toBe(2);
      // The second wait is twice the first (60 s, then 120 s).
      expect(Date.parse(queued[0].nextAttemptAt) - firstWait).toBeGreaterThanOrEqual(120_000);
    } finally {
      await smtp.start();
    }
    const before = smtp.received.length;
    t.clock.advance(121_000);
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 3, retry: 0, failed: 0 });
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 0, retry: 0, failed: 0 });
    const delivered = smtp.received.slice(before).map((m) => m.messageId);
    expect(new Set(delivered).size).toBe(3);
    expect(
      (await mailOf(t, id)).every((m: { status: string; attempts: number }) => m.status === 'sent' && m.attempts === 3),
    ).toBe(true);
  });

  it('gives up after the last attempt, shows the failure, tells the team mailbox, and sends once on a retry by hand', async () => {
    const { t, smtp } = await appWithSmtp();
    const id = await letterSent(t, 'Pat');
    await smtp.stop();
    try {
      for (let i = 0; i < 3; i++) {
        await t.services.mailWorker.runOnce();
        t.clock.advance(10 * 60_000);
      }
    } finally {
      await smtp.start();
    }
    const all = await mailOf(t, id);
    const failed = all.filter((m: { kind: string }) => m.kind !== 'delivery_failed');
    expect(failed.map((m: { status: string }) => m.status)).toEqual(['failed', 'failed', 'failed']);
    expect(
      (await t.api('secretariat').get('/mail?status=failed')).body.map((m: { id: number }) => m.id).sort(),
    ).toEqual(failed.map((m: { id: number }) => m.id).sort());
    // Each message given up on is reported to the team mailbox, which is itself retried as mail is.
    const alerts = all.filter((m: { kind: string }) => m.kind === 'delivery_failed');
    expect(alerts).toHaveLength(3);
    expect(alerts.map((m: { to: string[] }) => m.to)).toEqual([
      ['dhr-enquiries@dhr-qa.example'],
      ['dhr-enquiries@dhr-qa.example'],
      ['dhr-enquiries@dhr-qa.example'],
    ]);
    // A failed message stays failed until someone retries it; the alerts go once SMTP is back.
    t.clock.advance(24 * 3600_000);
    const beforeAlerts = smtp.received.length;
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 3, retry: 0, failed: 0 });
    const alert = smtp.received.slice(beforeAlerts).find((m) => m.subject?.includes('feedback from the Quality'))!;
    const letterMail = failed.find((m: { kind: string }) => m.kind === 'publish_after_changes');
    expect(alert.subject).toBe(`Email not delivered: ${letterMail.subject}`);
    expect(alert.text).toContain('To: sam@kent.example, pcc@kent.example');
    expect(alert.text).toContain(`send it again from Mail: http://dhr-qa.test/mail/${letterMail.id}`);
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 0, retry: 0, failed: 0 });
    await t.renewTokens();

    const before = smtp.received.length;
    const retried = await t.api('secretariat').post(`/mail/${failed[0].id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('queued');
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 1, retry: 0, failed: 0 });
    expect(smtp.received.slice(before).map((m) => m.messageId)).toEqual([failed[0].messageId]);
    expect((await t.api('secretariat').post(`/mail/${failed[0].id}/retry`)).status).toBe(409);
  });
});

describe('a worker that dies while sending', () => {
  it('loses nothing: its claimed messages go out once, when their lease ends', async () => {
    const { t, smtp } = await appWithSmtp();
    const id = await letterSent(t, 'Quin');
    // A worker whose transport never answers stands for one killed mid-send.
    const stuck = createMailWorker(
      t.db,
      t.clock,
      t.services.outbox,
      { description: 'stuck', send: () => new Promise(() => undefined), close: () => undefined },
      {
        maxAttempts: 3,
        baseDelayMs: 60_000,
        maxDelayMs: 600_000,
        leaseMs: 300_000,
        batchSize: 1,
      },
    );
    void stuck.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const claimed = (await t.db('outbox').where({ review_id: id, status: 'sending' })).map((r) => r.id);
    expect(claimed).toHaveLength(1);

    const before = smtp.received.length;
    // While the lease holds, the other worker leaves the claimed message alone.
    expect((await t.services.mailWorker.runOnce()).sent).toBe(2);
    expect(smtp.received.length - before).toBe(2);
    t.clock.advance(301_000);
    expect(await t.services.mailWorker.runOnce()).toEqual({ sent: 1, retry: 0, failed: 0 });
    expect(smtp.received.length - before).toBe(3);
    expect((await mailOf(t, id)).every((m: { status: string }) => m.status === 'sent')).toBe(true);
  });
});

describe('the local mailbox', () => {
  it('writes each message as an .eml file when no SMTP server is configured', async () => {
    const local = await createTestApp();
    try {
      const id = await submittedReview(local, 'Rhea');
      expect(await local.services.mailWorker.runOnce()).toEqual({ sent: 2, retry: 0, failed: 0 });
      const files = fs.readdirSync(local.mailDir).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^\d{6}\.eml$/);
      const parsed = await simpleParser(fs.readFileSync(path.join(local.mailDir, files[0]!)));
      expect(parsed.subject).toMatch(/\(Rhea\): submission received/);
      expect(parsed.to).toMatchObject({ value: [{ address: 'sam@kent.example' }] });
      expect((await local.api('secretariat').get(`/mail?reviewId=${id}`)).body[0].status).toBe('sent');
    } finally {
      await local.close();
    }
  });
});
