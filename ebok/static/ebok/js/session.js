// Idle countdown: shows the time left in the header, grows prominent in the last minute, and
// "Odśwież sesję" restarts it without leaving the page. The server enforces the timeout anyway.
(function () {
  "use strict";
  var box = document.getElementById("session-timer");
  if (!box) return;
  var output = box.querySelector("[data-remaining]");
  var form = box.querySelector("form");
  var seconds = parseInt(box.dataset.idleSeconds, 10);
  var deadline = Date.now() + seconds * 1000;
  function fmt(s) { var m = Math.floor(s / 60), r = s % 60; return m + ":" + (r < 10 ? "0" : "") + r; }
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    output.textContent = fmt(left);
    box.classList.toggle("session-timer-urgent", left <= 60);
    if (left <= 0) {
      window.location.href = box.dataset.expiredUrl;
      return;
    }
    window.setTimeout(tick, 1000);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      credentials: "same-origin"
    }).then(function (r) {
      if (r.status === 401) { window.location.href = box.dataset.expiredUrl; return null; }
      return r.json();
    }).then(function (data) {
      if (data && data.idle_seconds) deadline = Date.now() + data.idle_seconds * 1000;
    });
  });
  tick();
})();
