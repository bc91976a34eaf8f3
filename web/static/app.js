// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function searchBox() {
    return document.querySelector("[data-search-box]");
  }

  // "/" focuses the search box unless the user is typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = searchBox();
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  document.addEventListener("DOMContentLoaded", function () {
    // Copy buttons (hidden without JS, where the readonly textarea can be copied by hand).
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function () {
          button.textContent = "已复制";
          setTimeout(function () { button.textContent = "复制"; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.value).then(done, function () {
            source.select();
          });
        } else {
          source.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* selected for manual copy */ }
        }
      });
    });

    // Select the whole citation on focus so Ctrl+C copies it.
    document.querySelectorAll("textarea[readonly]").forEach(function (area) {
      area.addEventListener("focus", function () { area.select(); });
    });
  });
})();
