import { agencyStage, scaleStatus } from '../../src/recommendations/status';

/**
 * Where an organisation stands on a recommendation, on the Domestic Abuse Commissioner's scale,
 * from the facts it records: the actions done are told apart from the outcome achieved.
 */
describe("the Commissioner's scale", () => {
  const facts = (response: string | null, actionsDone = 0, outcomeAchieved = false) => ({
    response,
    actionsDone,
    outcomeAchieved,
  });

  it('is missing until the organisation responds, and not met when it declines', () => {
    expect(scaleStatus(facts(null))).toBe('missing');
    expect(scaleStatus(facts('not_accepted'))).toBe('not_met');
  });

  it('is already happening when what it asks was in place before the review', () => {
    expect(scaleStatus(facts('already_in_place'))).toBe('already_happening');
    expect(agencyStage('already_in_place', false)).toBe('already_in_place');
  });

  it('is not met while nothing is done, partly once an action is done, and fully only with the outcome achieved', () => {
    expect(scaleStatus(facts('accepted'))).toBe('not_met');
    expect(scaleStatus(facts('accepted', 1))).toBe('partly');
    // Every action done is still not the outcome achieved.
    expect(scaleStatus(facts('accepted', 3))).toBe('partly');
    expect(scaleStatus(facts('accepted', 3, true))).toBe('fully_implemented');
    expect(agencyStage('accepted', true)).toBe('implemented');
  });

  it('is partly implemented when a recommendation accepted only in part has its outcome achieved', () => {
    expect(scaleStatus(facts('partially_accepted', 2, true))).toBe('partly');
  });
});
