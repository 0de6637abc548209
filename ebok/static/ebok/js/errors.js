// A form sent back with errors: the focus goes to the summary of what to correct (it lists each
// error with a link to its field), so neither a keyboard nor a screen reader starts over from the
// top of the page.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.scrollIntoView({ block: "start" });
})();
