/**
 * The kinds of body recommendations are addressed to, for national analysis
 * ("how do police forces respond?"), and a first guess at an organisation's kind
 * from its name, which the secretariat can correct.
 */
export const ORGANISATION_KINDS = [
  'police',
  'childrens_services',
  'adult_social_care',
  'health_trust',
  'gp_practice',
  'icb',
  'mental_health',
  'probation',
  'housing',
  'council',
  'specialist_service',
  'national_body',
  'other',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const KIND_LABELS: Record<OrganisationKind, string> = {
  police: 'Police',
  childrens_services: "Children's services",
  adult_social_care: 'Adult social care',
  health_trust: 'Hospital or health trust',
  gp_practice: 'GP practice',
  icb: 'Integrated care board (CCG)',
  mental_health: 'Mental health service',
  probation: 'Probation',
  housing: 'Housing',
  council: 'Council or local partnership',
  specialist_service: 'Specialist domestic abuse or support service',
  national_body: 'National body',
  other: 'Other',
};

/**
 * The first rule that matches wins, so the order matters: "College of Policing" is a
 * national body before it is police, "Essex County Council (ECC), Children's Social
 * Care" is children's services before it is a council, and a local safeguarding board
 * or community safety partnership (hosted by the council, and naming children or
 * adults) is a local partnership before it is children's or adult services.
 * Patterns run on the name in lower case with apostrophes dropped and every other
 * mark turned into a space, so "Children’s" reads "childrens".
 */
const RULES: [OrganisationKind, RegExp][] = [
  ['other', /^(all( the)? (agencies|partners|organisations)|every agency|multi agency|various)$/],
  ['probation', /\b(probation|community rehabilitation compan(y|ies)|crc|nps|hmpps)\b/],
  [
    'national_body',
    /(^department (of|for) |\b(college of policing|home office|ministry of|nhs england|nhs improvement|public health england|uk health security agency|ukhsa|ipcc|iopc|independent (police complaints commission|office for police conduct)|hmic(frs)?|inspectorate|ofsted|care quality commission|cqc|crown prosecution service|cps|national police chiefs|npcc|association of chief police officers|acpo|dfe|dhsc|dwp|moj|government|domestic abuse commissioner|law commission|general medical council|royal college|local government association)\b)/,
  ],
  [
    'council',
    /\b(safeguarding (children |adults? )?(board|partnership)|(lscb|lsab|scb|sab)|community safety partnership|csp)\b/,
  ],
  ['police', /\b(police|policing|constabulary|mps|btp)\b/],
  ['icb', /(\b(clinical commissioning groups?|integrated care (board|system)|icb|ics)\b|ccgs?\b)/],
  [
    'mental_health',
    /\b(mental health|psychiatr\w*|camhs|iapt|crisis (team|service)|nepft|eput|slam|elft|nelft|cnwl|kmpt|sabp|partnership (university )?(nhs )?(foundation )?trust)\b/,
  ],
  [
    'gp_practice',
    /\b(gps?|general practi(ce|tioners?)|medical (centre|center|practice)|surgery|practice|primary care)\b/,
  ],
  [
    'childrens_services',
    /\b(childrens? (social care|services|social services|social work)|children and (families|young people)|csc|early help|youth (offending|justice)|yot|schools?|academy|education)\b/,
  ],
  ['adult_social_care', /\b(adults? (social care|services|social services|social work|care)|asc|care homes?)\b/],
  [
    'health_trust',
    /\b(hospitals?|nhs|foundation trust|health(care)? trust|ambulance|healthcare|health care|community health|pah)\b/,
  ],
  ['housing', /\b(housing|homes|homeless\w*|landlords?|tenancy)\b/],
  [
    'specialist_service',
    /\b(refuges?|womens aid|idvas?|iscas?|domestic (abuse|violence) (service|services|project|charity)|victim support|safelives|respect|solace|rape crisis|advocacy|drugs?|alcohol|substance (misuse|use)|turning point|change grow live|cgl|citizens advice|samaritans|mankind|galop|karma nirvana|southall black sisters)\b/,
  ],
  ['council', /\b(council|borough|local authority|district|unitary|social services)\b/],
];

/** What a name says about an organisation's kind: a guess the secretariat can change. */
export function organisationKind(name: string): OrganisationKind {
  const words = name
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  if (!words) return 'other';
  for (const [kind, pattern] of RULES) if (pattern.test(words)) return kind;
  return 'other';
}

export const isOrganisationKind = (value: unknown): value is OrganisationKind =>
  typeof value === 'string' && (ORGANISATION_KINDS as readonly string[]).includes(value);
