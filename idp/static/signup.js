// Progressive enhancement of the signup's identifier step: the live availability of the
// identifier typed (the password's checklist and "Afficher" are password.js's). The form
// works without this file.
(function () {
  "use strict";
  var identifier = document.getElementById("identifier");
  var status = document.getElementById("identifier-status");
  if (identifier && status) {
    var timer;
    identifier.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = "availability?identifier=" + encodeURIComponent(identifier.value);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
          status.textContent = data.message;
          status.className = "fr-message " + (data.available ? "fr-message--valid" : (data.available === null ? "fr-message--info" : "fr-message--error"));
        });
      }, 300);
    });
  }
})();
