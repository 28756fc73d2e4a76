// Tables (web/tables.py): choosing a page size applies it at once. Sorting, filtering and paging
// are plain links and forms, so that every view is a URL that can be shared.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
