// The live inbox: listen to the agency's lead changes (server-sent events; the browser reconnects
// with the last event id), refresh the table and announce each change to screen readers.
(function () {
  "use strict";
  var table = document.getElementById("leads");
  var live = document.getElementById("live");
  if (!table || !window.EventSource) { return; }
  var refreshing = false;
  function refresh() {
    if (refreshing) { return; }
    refreshing = true;
    fetch(table.dataset.rows, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { document.getElementById("lead-rows").innerHTML = html; } })
      .finally(function () { refreshing = false; });
  }
  var source = new EventSource(table.dataset.stream);
  source.addEventListener("lead", function (e) {
    var change = JSON.parse(e.data);
    live.textContent = live.dataset.template.replace("{id}", change.lead_id).replace("{kind}", change.kind);
    live.hidden = false;
    refresh();
  });
})();
