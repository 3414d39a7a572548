// GOV.UK Frontend's components (error summary focus, service navigation toggle, ...)
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();
