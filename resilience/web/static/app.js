// Loaded as a module from base.html. The Content-Security-Policy forbids inline scripts, so the
// class GOV.UK Frontend's template sets inline is set here: a browser that runs modules is one
// that GOV.UK Frontend supports.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A table box that scrolls sideways can be reached and scrolled by keyboard, and says what it
// holds; one that fits is left out of the tab order.
function markScrollingTables() {
  for (const box of document.querySelectorAll(".app-table-scroll")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}
markScrollingTables();
window.addEventListener("resize", markScrollingTables);
