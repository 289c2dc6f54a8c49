// Loaded as a module from base.html. The Content-Security-Policy forbids inline scripts, so the
// class GOV.UK Frontend's template sets inline is set here: a browser that runs modules is one
// that GOV.UK Frontend supports.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
