import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * Passwords people choose most often, which attackers try first: the 49,000 of
 * @zxcvbn-ts/language-common (drawn from breached password lists). NCSC guidance is to
 * refuse these and ask for length, rather than impose rules of composition. Read once,
 * the first time a password is checked.
 */
let common: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  const lower = password.toLowerCase();
  // One character over and over ("aaaaaaaaaaaa") is as easy to guess as any list entry.
  return common.has(lower) || /^(.)\1*$/su.test(password);
}
