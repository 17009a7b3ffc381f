// Import progress: while the import runs, reload the report page every two seconds.
(function () {
  var bar = document.querySelector("[data-import-running]");
  if (bar) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
