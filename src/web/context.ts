import type { Services } from '../services';
import type { DocumentUpload } from '../services/documentTypes';
import type { createCsrf } from './csrf';
import type { KeptForms } from './keptForms';
import type { createSessions } from './session';

/** What every group of pages is built from, in one place so that route modules never import the web's entry point. */
export interface WebContext {
  services: Services;
  upload: DocumentUpload;
  csrf: ReturnType<typeof createCsrf>;
  sessions: ReturnType<typeof createSessions>;
  keptForms: KeptForms;
}
