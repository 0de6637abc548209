// Setup wizard: the contrast of the chosen main colour against the white page (3:1 needed) and
// of the text drawn on it (black or white, whichever is better; 4.5:1 needed), while choosing.
(function () {
  "use strict";
  var input = document.getElementById("id_primary_colour");
  var out = document.getElementById("contrast-check");
  if (!input || !out) return;
  function channel(v) { v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function lum(hex) {
    var r = parseInt(hex.substr(1, 2), 16), g = parseInt(hex.substr(3, 2), 16), b = parseInt(hex.substr(5, 2), 16);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }
  function ratio(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  var labels = out.dataset;
  input.addEventListener("input", function () {
    var c = input.value;
    if (!/^#[0-9a-fA-F]{6}$/.test(c)) return;
    var page = ratio(c, "#ffffff"), text = Math.max(page, ratio(c, "#000000"));
    var ok = page >= 3;
    var p = document.createElement("p");
    p.className = ok ? "contrast-ok" : "contrast-bad";
    p.textContent = labels.page + ": " + page.toFixed(2) + ":1. " + labels.text + ": " +
      text.toFixed(2) + ":1. " + (ok ? labels.ok : labels.bad);
    out.replaceChildren(p);
  });
})();
