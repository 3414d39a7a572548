import fs from 'node:fs';
import path from 'node:path';

/**
 * The house templates: every letter and every email the service writes, with the
 * placeholders and blocks each may use. The secretariat edits the wording in the
 * service (src/services/houseTemplates.ts keeps the versions); the files under
 * templates/letters and templates/emails are only the first version shipped.
 */

export const LETTER_KINDS = [
  'publish',
  'publish_after_changes',
  'resubmit',
  'acknowledgement',
  'revision_reminder',
  'publication_reminder',
  'publication_confirmation',
  'review_decision',
] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

export const OUTCOME_KINDS: readonly LetterKind[] = ['publish', 'publish_after_changes', 'resubmit'];

/** The panel's letters: each goes out as a PDF, to the CSP with its PCC in copy, only once every character prints. */
export const PANEL_LETTER_KINDS: readonly LetterKind[] = [...OUTCOME_KINDS, 'review_decision'];

export const EMAIL_NAMES = [
  'outcome_letter',
  'acknowledgement',
  'revision_reminder',
  'publication_reminder',
  'publication_confirmation',
  'draft_letter_alert',
  'recommendation_reminder',
  'password_reset',
  'review_submitted',
  'revisions_submitted',
  'items_returned',
  'review_approved',
  'publication_recorded',
  'delivery_failed',
  'final_report_copy',
  'recommendation_assigned',
  'recommendation_status_changed',
  'decision_submitted',
  'decision_letter',
] as const;
export type EmailName = (typeof EMAIL_NAMES)[number];

export const EMAIL_PARTS = ['subject', 'html', 'text'] as const;
export type EmailPart = (typeof EMAIL_PARTS)[number];

/**
 * What a template's output is: a letter (HTML in the letters' small vocabulary, cut
 * into paragraphs and blocks), an email's HTML body, its plain text or its subject.
 */
export type Format = 'letter' | 'html' | 'text' | 'subject';

/** The structural parts of a letter, drawn from the draft rather than written in the template. */
export const BLOCKS = {
  letterhead: 'The letterhead: its title and lines, from the letter settings.',
  address: "The addressee: the CSP contact's name, job title and address, fixed when the draft is made.",
  date: "The letter's date: the day it is sent, unless a date is set on the draft.",
  salutation: 'The salutation, such as "Dear Sam".',
  commendations: 'What the panel commended, as recorded with the outcome, one paragraph each.',
  areas: "The panel's areas, numbered (1, 2a) or bulleted as the house style says, with headings and points.",
  outstanding: 'The revision items still open, each with the reason it was returned if it was.',
  comments: "The panel's comments on a decision not to hold a review, one paragraph each.",
  signature: "The signatory's name and title.",
} as const;
export type BlockName = keyof typeof BLOCKS;

/**
 * A placeholder: plain text (escaped), a number, a yes/no for {{#if}}, the letter itself
 * inside an email, or a web address the service made (the only kind an email may put in a
 * link's href).
 */
export interface Placeholder {
  description: string;
  example: string | number | boolean;
  type?: 'text' | 'number' | 'flag' | 'markup' | 'url';
}

type Placeholders = Record<string, Placeholder>;

/** What every template may say: what the reviews are called (a setting; see reviewKinds.ts). */
const COMMON: Placeholders = {
  reviewKind: {
    description: 'What the reviews are called, from the settings',
    example: 'Domestic Homicide Review',
  },
  reviewKindShort: { description: 'Its initials', example: 'DHR' },
};

const REVIEW: Placeholders = {
  reference: { description: "The review's reference", example: 'DHR-2026-0001' },
  pseudonym: { description: 'The pseudonym the report uses', example: 'Alex' },
  cspName: { description: "The CSP's name", example: 'Anytown Community Safety Partnership' },
};

const LETTER: Placeholders = {
  ...REVIEW,
  pccName: {
    description: "The Police and Crime Commissioner of the CSP's police force area",
    example: 'Police and Crime Commissioner for Anyshire',
  },
  dhrMailbox: { description: 'The DHR mailbox, from the letter settings', example: 'dhr-enquiries@dhr-qa.example' },
  signatoryName: { description: "The signatory's name, fixed when the draft is made", example: 'Jordan Ellis' },
  signatoryTitle: {
    description: "The signatory's title, fixed when the draft is made",
    example: 'Chair of the Home Office DHR Quality Assurance Panel',
  },
};

const OUTCOME: Placeholders = {
  ...LETTER,
  meetingDate: {
    description: 'The date of the panel meeting that assessed the report, in the house date style',
    example: '20 November 2026',
  },
  round: {
    description: 'Which assessment of the report this is: 1 for the first, 2 after one resubmission',
    example: 1,
    type: 'number',
  },
};

const WITH_LETTER = (what: string): Placeholders => ({
  ...REVIEW,
  pccName: LETTER.pccName!,
  letter: { description: `The ${what} itself`, example: '(the letter)', type: 'markup' },
});

export interface TemplateKind {
  /** The name in the API and on the page: "publish", "outcome_letter.subject". */
  kind: string;
  title: string;
  description: string;
  format: Format;
  placeholders: Placeholders;
  /** The blocks a letter template may place with {{> name}}; none for emails. */
  blocks: readonly BlockName[];
  /** The blocks it must place: what the letter is for (the panel's areas, the items still open). */
  required?: readonly BlockName[];
  /** The shipped first version. */
  file: string;
}

const LETTER_BLOCKS: readonly BlockName[] = ['letterhead', 'address', 'date', 'salutation', 'signature'];

const LETTERS: Record<LetterKind, Omit<TemplateKind, 'kind' | 'format' | 'file'>> = {
  publish: {
    title: 'Feedback letter: publish',
    description: 'The panel is content that the report may be published as it is.',
    placeholders: OUTCOME,
    blocks: [...LETTER_BLOCKS, 'commendations'],
  },
  publish_after_changes: {
    title: 'Feedback letter: publish after changes',
    description: 'The report may be published once the areas for final development are made.',
    placeholders: OUTCOME,
    blocks: [...LETTER_BLOCKS, 'commendations', 'areas'],
    required: ['areas'],
  },
  resubmit: {
    title: 'Feedback letter: revise and resubmit',
    description: 'The report must be revised in the areas listed and come back to the panel.',
    placeholders: OUTCOME,
    blocks: [...LETTER_BLOCKS, 'commendations', 'areas'],
    required: ['areas'],
  },
  acknowledgement: {
    title: 'Acknowledgement of a submission',
    description: 'Sent as soon as a CSP submits a report.',
    placeholders: {
      ...LETTER,
      submittedOn: { description: 'The day the report was submitted', example: '2 March 2026' },
    },
    blocks: LETTER_BLOCKS,
  },
  revision_reminder: {
    title: 'Reminder: revision items outstanding',
    description: 'Sent when revision items are still open some weeks after the feedback letter.',
    placeholders: {
      ...LETTER,
      letterSentOn: { description: 'The day the feedback letter was sent', example: '2 March 2026' },
      outstandingCount: { description: 'How many items are still open', example: 2, type: 'number' },
    },
    blocks: [...LETTER_BLOCKS, 'outstanding'],
    required: ['outstanding'],
  },
  publication_reminder: {
    title: 'Reminder: publication not yet recorded',
    description: 'Sent when an approved report has not been recorded as published.',
    placeholders: {
      ...LETTER,
      approvedOn: { description: 'The day the report was approved for publication', example: '2 March 2026' },
    },
    blocks: LETTER_BLOCKS,
  },
  publication_confirmation: {
    title: 'Confirmation of publication',
    description: 'Sent when the CSP records the publication.',
    placeholders: {
      ...LETTER,
      publishedOn: { description: 'The day the report was published', example: '2 March 2026' },
      url: { description: 'Where the report is published', example: 'https://www.anytown.gov.uk/dhr' },
    },
    blocks: LETTER_BLOCKS,
  },
  review_decision: {
    title: "The panel's view of a decision not to hold a review",
    description:
      'Sent when the panel has considered a CSP’s decision not to hold a review: it agrees, and the review is not held, or it disagrees and asks for one.',
    placeholders: {
      ...LETTER,
      meetingDate: OUTCOME.meetingDate!,
      decidedOn: { description: 'The day the CSP recorded its decision', example: '2 March 2026' },
      agrees: {
        description: 'Yes when the panel agrees with the decision; no when it asks for a review to be held',
        example: true,
        type: 'flag',
      },
    },
    blocks: [...LETTER_BLOCKS, 'comments'],
  },
};

/** What every hand-off email says: which review, and where the next step is taken. */
const HAND_OFF = (linkText: string): Placeholders => ({
  ...REVIEW,
  round: {
    description: 'Which assessment of the report this is: 1 for the first, 2 after one resubmission',
    example: 1,
    type: 'number',
  },
  reviewUrl: { description: linkText, example: 'https://dhr-qa.example/reviews/1', type: 'url' },
});

const EMAILS: Record<EmailName, { title: string; description: string; placeholders: Placeholders }> = {
  outcome_letter: {
    title: 'Feedback letter email',
    description: "Carries a feedback letter to the CSP's contacts, with the PCC in copy and the PDF attached.",
    placeholders: WITH_LETTER('feedback letter'),
  },
  acknowledgement: {
    title: 'Acknowledgement email',
    description: 'Carries the acknowledgement of a submission.',
    placeholders: WITH_LETTER('acknowledgement'),
  },
  revision_reminder: {
    title: 'Revision reminder email',
    description: 'Carries the reminder that revision items are outstanding.',
    placeholders: WITH_LETTER('reminder'),
  },
  publication_reminder: {
    title: 'Publication reminder email',
    description: 'Carries the reminder to record the publication.',
    placeholders: WITH_LETTER('reminder'),
  },
  publication_confirmation: {
    title: 'Publication confirmation email',
    description: 'Carries the confirmation of publication.',
    placeholders: WITH_LETTER('confirmation'),
  },
  draft_letter_alert: {
    title: 'Alert: letter still in draft',
    description: 'Tells the DHR mailbox that a feedback letter is still a draft some days after its meeting.',
    placeholders: {
      ...REVIEW,
      meetingDate: { description: 'The date of the panel meeting', example: '20 November 2026' },
      days: { description: 'How many days ago the meeting was', example: 14, type: 'number' },
      reviewUrl: {
        description: "The address of the review's page",
        example: 'https://dhr-qa.example/reviews/1',
        type: 'url',
      },
    },
  },
  password_reset: {
    title: 'Link to set a new password',
    description: 'Sent to a user when the secretariat asks the service to let them set a new password.',
    placeholders: {
      name: { description: "The user's name", example: 'Sam Taylor' },
      resetUrl: {
        description: 'The single-use link to set a new password',
        example: 'https://dhr-qa.example/reset-password?token=…',
        type: 'url',
      },
      hours: { description: 'How many hours the link works for', example: 24, type: 'number' },
      dhrMailbox: { description: 'The DHR mailbox, from the letter settings', example: 'dhr-enquiries@dhr-qa.example' },
    },
  },
  review_submitted: {
    title: 'Hand-off: report submitted',
    description: "Tells the secretariat's team mailbox that a CSP has submitted a report, so it can be scheduled.",
    placeholders: {
      ...HAND_OFF("The address of the review's page, where it is scheduled for a meeting"),
      submittedBy: { description: 'Who submitted it', example: 'Sam Taylor' },
    },
  },
  revisions_submitted: {
    title: 'Hand-off: revisions submitted',
    description:
      "Tells the secretariat's team mailbox that a CSP has answered every revision item (or resubmitted a revised report).",
    placeholders: {
      ...HAND_OFF("The address of the review's page, where the answers are checked"),
      submittedBy: { description: 'Who submitted them', example: 'Sam Taylor' },
      resubmitted: {
        description: 'Yes when the report was revised for the panel to assess again, not checked item by item',
        example: false,
        type: 'flag',
      },
    },
  },
  items_returned: {
    title: 'Hand-off: revision items returned',
    description: "Tells the CSP's contacts which answers the secretariat returned, and why.",
    placeholders: {
      ...HAND_OFF('The address of the page where the CSP answers the returned items'),
      returnedCount: { description: 'How many items were returned', example: 1, type: 'number' },
      items: {
        description: 'Each returned item, by its number in the letter, with the reason it was returned',
        example: '(the items)',
        type: 'markup',
      },
    },
  },
  review_approved: {
    title: 'Hand-off: approved for publication',
    description: "Tells the CSP's contacts that every revision item was accepted and the report may be published.",
    placeholders: HAND_OFF('The address of the page where the CSP records the publication'),
  },
  publication_recorded: {
    title: 'Hand-off: publication recorded',
    description: "Tells the secretariat's team mailbox that a CSP has recorded the publication of its report.",
    placeholders: {
      ...HAND_OFF("The address of the review's page"),
      publishedOn: { description: 'The day the report was published', example: '2 March 2026' },
      url: { description: 'Where the report is published', example: 'https://www.anytown.gov.uk/dhr' },
    },
  },
  decision_submitted: {
    title: 'Hand-off: a decision not to hold a review',
    description:
      "Tells the secretariat's team mailbox that a CSP has decided not to hold a review, so the decision can be scheduled for the panel.",
    placeholders: {
      ...HAND_OFF("The address of the review's page, where the decision is scheduled for a meeting"),
      submittedBy: { description: 'Who recorded the decision', example: 'Sam Taylor' },
    },
  },
  decision_letter: {
    title: "Email carrying the panel's view of a decision",
    description:
      "Carries the panel's letter on a decision not to hold a review to the CSP's contacts, with the PCC in copy and the PDF attached.",
    placeholders: WITH_LETTER('letter'),
  },
  final_report_copy: {
    title: 'The final report, to one who must receive it',
    description:
      'Sent from the distribution list of a published review to the Home Office, the Domestic Abuse Commissioner or the PCC, with the weblink.',
    placeholders: {
      ...REVIEW,
      publishedOn: { description: 'The day the report was published', example: '2 March 2026' },
      url: { description: 'Where the report is published', example: 'https://www.anytown.gov.uk/dhr', type: 'url' },
      recipientName: { description: 'Who the copy is for', example: 'the Domestic Abuse Commissioner' },
      replyTo: {
        description: "The address replies go to: the CSP's first contact",
        example: 'sam.taylor@anytown.example',
      },
    },
  },
  delivery_failed: {
    title: 'Alert: an email could not be delivered',
    description:
      "Tells the secretariat's team mailbox that the service gave up sending an email, so it can be corrected and sent again.",
    placeholders: {
      subjectOfFailed: { description: "The undelivered email's subject", example: 'DHR-2026-0001: QA Panel feedback' },
      recipients: { description: 'Who it was for', example: 'sam.taylor@anytown.example' },
      error: { description: 'What the mail server said, last time', example: '550 mailbox unavailable' },
      attempts: { description: 'How many times it was tried', example: 8, type: 'number' },
      mailUrl: {
        description: 'The address of the email on the Mail page, where it can be sent again',
        example: 'https://dhr-qa.example/mail/1',
        type: 'url',
      },
    },
  },
  recommendation_reminder: {
    title: 'Reminder to an agency about a recommendation',
    description: 'Chases a response to a recommendation, or an action past its target date.',
    placeholders: {
      reference: REVIEW.reference!,
      cspName: REVIEW.cspName!,
      overdue: { description: 'Yes when an action is past its target date', example: false, type: 'flag' },
      number: { description: "The recommendation's number", example: '2a' },
      text: { description: "The recommendation's text", example: 'Review the referral pathway.' },
      organisation: { description: 'The agency it is addressed to', example: 'Anytown Police' },
      days: { description: 'Days since it was assigned to the agency', example: 60, type: 'number' },
      dueOn: { description: 'The day its response was due', example: '2 March 2026' },
      action: { description: 'The overdue action', example: 'Update the referral guidance' },
      owner: { description: "The action's owner", example: 'Head of Safeguarding' },
      targetDate: { description: "The action's target date", example: '2 March 2026' },
      url: { description: 'Where to respond', example: 'https://dhr-qa.example/recommendations/1', type: 'url' },
    },
  },
  recommendation_assigned: {
    title: 'A recommendation assigned to an organisation',
    description:
      "Tells an organisation's users that the secretariat has assigned a national recommendation to it, and when its response is due.",
    placeholders: {
      reference: REVIEW.reference!,
      cspName: REVIEW.cspName!,
      number: { description: "The recommendation's number", example: '2a' },
      text: { description: "The recommendation's text", example: 'Review the national guidance on referrals.' },
      organisation: {
        description: 'The department or body it is assigned to',
        example: 'Department of Health and Social Care',
      },
      dueOn: { description: 'The day its response is due', example: '2 March 2026' },
      url: { description: 'Where to respond', example: 'https://dhr-qa.example/recommendations', type: 'url' },
    },
  },
  recommendation_status_changed: {
    title: "A recommendation's status changed",
    description:
      "Tells the CSP's contacts, copying the review's chair, that an organisation's status on a recommendation has changed on the Domestic Abuse Commissioner's scale.",
    placeholders: {
      ...REVIEW,
      number: { description: "The recommendation's number", example: '2a' },
      organisation: { description: 'The organisation whose status changed', example: 'Anytown Police' },
      status: { description: 'Its status now', example: 'Partly implemented' },
      previousStatus: { description: 'Its status before', example: 'Not met' },
      statusChanged: {
        description:
          'Yes when the status changed; no when only the response did (accepted, then declined, is not met both times)',
        example: true,
        type: 'flag',
      },
      response: { description: "The organisation's response now", example: 'Accepted' },
      url: {
        description: "The address of the review's recommendations",
        example: 'https://dhr-qa.example/reviews/1/recommendations#rec-1',
        type: 'url',
      },
    },
  },
};

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');

function emailKinds(): TemplateKind[] {
  return EMAIL_NAMES.flatMap((name) =>
    EMAIL_PARTS.map((part): TemplateKind => {
      const email = EMAILS[name];
      const placeholders: Placeholders = { ...email.placeholders, ...COMMON };
      // The HTML body may show the subject (in its <title>); the subject cannot quote itself.
      if (part === 'html') placeholders.subject = { description: "The email's subject", example: 'Subject' };
      // A subject is one line of text: markup (the letter, a list of items) cannot go in it.
      if (part === 'subject')
        for (const [n, p] of Object.entries(placeholders)) if (p.type === 'markup') delete placeholders[n];
      return {
        kind: `${name}.${part}`,
        title: `${email.title}: ${part === 'html' ? 'HTML body' : part === 'text' ? 'plain text body' : 'subject'}`,
        description: email.description,
        format: part,
        placeholders,
        blocks: [],
        file: path.join(TEMPLATES, 'emails', name, `${part}.hbs`),
      };
    }),
  );
}

export const TEMPLATE_KINDS: readonly TemplateKind[] = [
  ...LETTER_KINDS.map((kind): TemplateKind => ({
    kind,
    ...LETTERS[kind],
    placeholders: { ...LETTERS[kind].placeholders, ...COMMON },
    format: 'letter',
    file: path.join(TEMPLATES, 'letters', `${kind}.hbs`),
  })),
  ...emailKinds(),
];

const BY_KIND = new Map(TEMPLATE_KINDS.map((k) => [k.kind, k]));

export function templateKind(kind: string): TemplateKind | undefined {
  return BY_KIND.get(kind);
}

export const emailKind = (name: EmailName, part: EmailPart) => `${name}.${part}`;

/** The shipped first version of a template. */
export function shippedBody(kind: TemplateKind): string {
  return fs.readFileSync(kind.file, 'utf8');
}

/** The sample values a template is previewed and checked against. */
export function sampleModel(kind: TemplateKind): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kind.placeholders).map(([name, p]) => [name, p.example]));
}

/** Every placeholder of a kind, blank: what a template sees for a value its caller does not have. */
export function blankModel(kind: TemplateKind): Record<string, unknown> {
  const blank = (p: Placeholder) => (p.type === 'number' ? 0 : p.type === 'flag' ? false : '');
  return Object.fromEntries(Object.entries(kind.placeholders).map(([name, p]) => [name, blank(p)]));
}
