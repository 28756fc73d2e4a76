// Tables (web/tables.py): choosing a page size applies it at once. Sorting, filtering and paging
// are plain links and forms, so that every view is a URL that can be shared; a table answering a
// form (`data-sorted-here`: no URL gives it again) is sorted here, by its header's button.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("table[data-sorted-here]").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = th.querySelector("button.sort");
      if (!button) return;
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") === "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var numeric = th.classList.contains("num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (row) { return row.cells.length === headers.length; });
        function key(row) {
          var cell = row.cells[index];
          if (numeric) {
            var value = parseFloat(cell.getAttribute("data-value"));
            return isNaN(value) ? null : value;
          }
          return cell.textContent.trim();
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === null || x === "") return 1; // empty cells last either way
          if (y === null || y === "") return -1;
          var order = numeric ? x - y : x.localeCompare(y, document.documentElement.lang);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
