import { suggestThemes, THEMES } from '../../src/recommendations/themes';

describe('theme suggestions', () => {
  it("reads the themes from a recommendation's words", () => {
    expect(
      suggestThemes(
        'It is recommended that officers are reminded of the necessity to explore, clarify and record information when victims provide positive responses during the DASH risk assessment process',
      ),
    ).toEqual(['Risk assessment', 'Training', 'Information sharing', 'Policing']);
    expect(
      suggestThemes('Clinical Commissioning Groups should develop a simple to use toolkit for practice staff'),
    ).toEqual(['Health', 'Policy and procedure']);
    expect(suggestThemes('Agencies need to factor in coercive and controlling behaviour')).toEqual([
      'Coercive control',
    ]);
  });

  it('suggests nothing when no clue is there', () => {
    expect(suggestThemes('The review should be published.')).toEqual([]);
  });

  it('offers a fixed list to choose from', () => {
    expect(THEMES).toContain('Children and families');
    expect(new Set(THEMES).size).toBe(THEMES.length);
  });
});
