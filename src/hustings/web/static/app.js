// Triage shortcuts: j/k move, o/Enter open, c claim, r reply, e close. No other page logic:
// everything else is plain forms that htmx boosts.
(function () {
  function rows() { return Array.from(document.querySelectorAll("#items tbody tr[data-item]")); }
  function selected() { return document.querySelector("#items tr.selected"); }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); });
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
  }
  function move(step) {
    var all = rows(); if (!all.length) return;
    var i = all.indexOf(selected());
    select(all[Math.max(0, Math.min(all.length - 1, i + step))]);
  }
  function press(selector) {
    var scope = selected() || document;
    var button = scope.querySelector(selector);
    if (button) button.click();
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].indexOf(tag) >= 0 || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var onList = rows().length > 0;
    if (ev.key === "j" && onList) move(1);
    else if (ev.key === "k" && onList) move(-1);
    else if ((ev.key === "o" || ev.key === "Enter") && selected()) press("a.open");
    else if (ev.key === "c") press("button.claim");
    else if (ev.key === "e") press("button.closed, button.close");
    else if (ev.key === "r") {
      var text = document.getElementById("reply-text");
      if (text) { text.focus(); } else if (selected()) { window.location = selected().querySelector("a.open").href + "#reply-form"; }
    } else return;
    ev.preventDefault();
  });
  // The list polls (hx-trigger="every 5s"): keep the row a responder selected selected.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var row = selected(); kept = row ? row.dataset.item : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var row = kept && document.querySelector('#items tr[data-item="' + kept + '"]');
    if (row) row.classList.add("selected");
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.id === "canned" && ev.target.value) {
      var text = document.getElementById(ev.target.dataset.target);
      text.value = ev.target.value; text.focus();
    }
  });
})();
