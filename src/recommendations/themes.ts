/**
 * The themes recommendations are grouped by in monitoring and national analysis,
 * and a first guess at them from a recommendation's words, for a person to confirm.
 */
export const THEMES = [
  'Risk assessment',
  'Training',
  'Information sharing',
  'Children and families',
  'Health',
  'Mental health',
  'Housing',
  'Policing',
  'Multi-agency working',
  'Supervision and management',
  'Coercive control',
  'Equality and diversity',
  'Policy and procedure',
] as const;
export type Theme = (typeof THEMES)[number];

const CLUES: Record<Theme, RegExp> = {
  'Risk assessment': /\b(risk|dash|assess(ment|ed|ing)?)\b/i,
  Training: /\b(train(ing|ed)?|awareness|remind(ed)?|learning|briefing)\b/i,
  'Information sharing':
    /\b(information[- ]sharing|share[sd]?|sharing|data protection|it systems?|records?|referrals?)\b/i,
  'Children and families': /\b(child(ren)?|famil(y|ies)|young people|safeguarding children|parent)/i,
  Health: /\b(gp|health|hospital|clinic(al|ians)?|ccg|icb|nhs|practice staff|medical)\b/i,
  'Mental health': /\b(mental health|nepft|psychiatr\w*|crisis team)\b/i,
  Housing: /\b(housing|tenan(t|cy)|homeless\w*|accommodation)\b/i,
  Policing: /\b(polic(e|ing)|officers?|mps|csu|cris|arrest|investigat\w*)\b/i,
  'Multi-agency working': /\b(marac|multi[- ]agency|partners?(hip)?|all agencies|board)\b/i,
  'Supervision and management': /\b(supervis\w+|managers?|management|inspector|oversight)\b/i,
  'Coercive control': /\b(coerci\w+|controlling|economic abuse|emotional abuse)\b/i,
  'Equality and diversity': /\b(equality|diversity|protected characteristics|disabilit\w+|interpreters?|culture)\b/i,
  'Policy and procedure': /\b(polic(y|ies)|procedures?|protocols?|guidance|toolkit|pathway)\b/i,
};

/** Themes whose clues appear in the text, in the list's order. */
export function suggestThemes(text: string): Theme[] {
  return THEMES.filter((theme) => CLUES[theme].test(text));
}

/** Recommendations without a theme are counted and reported under this heading, after every theme. */
export const OTHER_THEME = 'Other';
