/* Sortable, foldable tables: click a column's title to sort by it (again to reverse);
   "Show all" unfolds the rows kept out of the first view. Sorting unfolds them too. */
(function () {
  function value(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    var n = Number(raw);
    return raw !== "" && !isNaN(n) ? n : raw.toLowerCase();
  }
  function unfold(table) {
    table.querySelectorAll("tbody tr[hidden]").forEach(function (r) { r.hidden = false; });
    var more = table.closest(".table-wrap").nextElementSibling;
    if (more && more.classList.contains("more")) more.hidden = true;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var down = th.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        unfold(table);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a.cells[col]), y = value(b.cells[col]);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          var order = x < y ? -1 : x > y ? 1 : 0;
          return down ? -order : order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll("button.show-all").forEach(function (button) {
    button.addEventListener("click", function () {
      unfold(button.closest("p").previousElementSibling.querySelector("table"));
    });
  });
})();
