// Progressive enhancement: each time is also shown in the reader's own zone.
(function () {
  var fmt = new Intl.DateTimeFormat(undefined, {dateStyle: "medium", timeStyle: "short"});
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (isNaN(at)) { return; }
    var local = document.createElement("span");
    local.className = "local";
    local.textContent = " (" + fmt.format(at) + " your time)";
    el.appendChild(local);
  });
  document.querySelectorAll(".js-local-note").forEach(function (el) { el.hidden = false; });
})();
