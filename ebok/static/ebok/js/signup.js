// Signup: the subdomain's availability is checked while typing (the server checks again on
// submit); the status page asks for the provisioning progress every second and reloads when done.
(function () {
  "use strict";
  var slug = document.getElementById("id_slug");
  var out = document.getElementById("id_slug_status");
  if (slug && out) {
    var timer = null;
    var check = function () {
      var value = slug.value.trim().toLowerCase();
      if (!value) { out.textContent = ""; return; }
      fetch(slug.dataset.availabilityUrl + "?subdomain=" + encodeURIComponent(value), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (slug.value.trim().toLowerCase() !== value) return;
          out.textContent = body.detail;
          out.className = "slug-status " + (body.available ? "slug-ok" : "slug-bad");
          slug.setAttribute("aria-invalid", body.available ? "false" : "true");
        })
        .catch(function () { out.textContent = ""; });
    };
    slug.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 300);
    });
  }
  var box = document.getElementById("signup-progress");
  if (box && box.dataset.running) {
    var bar = document.getElementById("progress");
    var set = function (name, value) {
      var el = box.querySelector('[data-field="' + name + '"]');
      if (el) el.textContent = value;
    };
    var poll = function () {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.value = s.percent;
          set("percent", s.percent);
          set("step_label", s.step_label);
          if (s.finished) window.location.reload();
          else window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 1000);
  }
})();
