import { isOrganisationKind, KIND_LABELS, ORGANISATION_KINDS, organisationKind } from '../../src/recommendations/kinds';

describe('organisationKind', () => {
  it.each([
    // The bodies of the Hackney and Harlow lists.
    ['Metropolitan Police Service', 'police'],
    ['Metropolitan Police Service (Hackney Borough)', 'police'],
    ['College of Policing', 'national_body'],
    ['City and Hackney Safeguarding Children Board', 'council'],
    ['All Agencies', 'other'],
    ['Essex County Council (ECC), Children’s Social Care', 'childrens_services'],
    ['Princess Alexandra Hospital (PAH)', 'health_trust'],
    ['Lister Medical Centre', 'gp_practice'],
    ['The Elsenham Practice', 'gp_practice'],
    ['West Essex CCG', 'icb'],
    ['NEPFT', 'mental_health'],
  ])('%s is %s', (name, kind) => {
    expect(organisationKind(name)).toBe(kind);
  });

  it.each([
    ['Kent Police', 'police'],
    ['Essex Constabulary', 'police'],
    ['British Transport Police', 'police'],
    ['Independent Office for Police Conduct (IOPC)', 'national_body'],
    ['IPCC', 'national_body'],
    ['Home Office', 'national_body'],
    ['Department for Education', 'national_body'],
    ['NHS England', 'national_body'],
    ['National Police Chiefs’ Council', 'national_body'],
    ['National Probation Service', 'probation'],
    ['HM Prison and Probation Service', 'probation'],
    ['Kent, Surrey and Sussex Community Rehabilitation Company', 'probation'],
    ['NHS Kent and Medway Integrated Care Board', 'icb'],
    ['Harlow CCG', 'icb'],
    ['WECCG', 'icb'],
    ['Sussex Partnership NHS Foundation Trust', 'mental_health'],
    ['East London NHS Foundation Trust, Community Mental Health Team', 'mental_health'],
    ['CAMHS', 'mental_health'],
    ['Homerton University Hospital NHS Foundation Trust', 'health_trust'],
    ['London Ambulance Service', 'health_trust'],
    ['Dr Patel’s GP surgery', 'gp_practice'],
    ["Hackney Children's Services", 'childrens_services'],
    ['Youth Offending Service', 'childrens_services'],
    ['Kent County Council Adult Social Care', 'adult_social_care'],
    ['Adult Services', 'adult_social_care'],
    ['Hackney Homes', 'housing'],
    ['Harlow Council Housing Services', 'housing'],
    ['Refuge', 'specialist_service'],
    ['Solace Women’s Aid', 'specialist_service'],
    ['Local IDVA service', 'specialist_service'],
    ['Change Grow Live', 'specialist_service'],
    ['Harlow District Council', 'council'],
    ['London Borough of Hackney', 'council'],
    ['Kent Safeguarding Adults Board', 'council'],
    ['Harlow Community Safety Partnership', 'council'],
    ['Kent Fire and Rescue Service', 'other'],
    ['', 'other'],
    ['   ', 'other'],
  ])('%s is %s', (name, kind) => {
    expect(organisationKind(name)).toBe(kind);
  });

  it('ignores case and punctuation', () => {
    expect(organisationKind('METROPOLITAN POLICE SERVICE')).toBe('police');
    expect(organisationKind('west-essex-ccg')).toBe('icb');
    expect(organisationKind("essex county council - childrens' social care")).toBe('childrens_services');
  });

  it('names every kind it can give', () => {
    expect(ORGANISATION_KINDS).toHaveLength(13);
    for (const kind of ORGANISATION_KINDS) {
      expect(isOrganisationKind(kind)).toBe(true);
      expect(KIND_LABELS[kind]).toMatch(/^[A-Z]/);
    }
    expect(isOrganisationKind('ccg')).toBe(false);
    expect(isOrganisationKind(undefined)).toBe(false);
  });
});
