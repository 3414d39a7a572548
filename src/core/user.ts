import type { Role } from '../workflow/types';

/** A signed-in person, as every layer sees them: their role and the scope it has (a CSP, a force area or an organisation). */
export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  cspId: number | null;
  policeForceAreaId: number | null;
  organisationId: number | null;
}
