// Import job page: ask for the job's progress every two seconds and update the bar; when the
// job is done, load the page once for the final counts and errors. Without JavaScript the page
// has a "Refresh" link.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !box.dataset.running) return;
  var bar = document.getElementById("progress");
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el) el.textContent = value;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        set("percent", job.percent);
        set("processed_rows", job.processed_rows);
        set("total_rows", job.total_rows);
        set("status_label", job.status_label);
        if (job.running) window.setTimeout(poll, 2000);
        else window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
