/* cc-analytics : tri des tableaux « sortable » au clic sur un en-tête (aucune donnée, aucune requête). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var collator = new Intl.Collator("fr", { numeric: true, sensitivity: "base" });
  function key(cell) {
    var text = cell ? cell.textContent.trim() : "";
    var digits = text.replace(/[\s\u00a0\u202f%]/g, "").replace(",", ".");
    return digits !== "" && isFinite(digits) ? Number(digits) : text;
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    if (typeof a === "number") { return -1; }
    if (typeof b === "number") { return 1; }
    return collator.compare(a, b);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.title = "Trier selon cette colonne";
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
          return { row: row, key: key(row.cells[column]), index: index };
        });
        rows.sort(function (r1, r2) {
          var c = compare(r1.key, r2.key);
          return (ascending ? c : -c) || r1.index - r2.index;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      });
    });
  });
});
