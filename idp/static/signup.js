// Progressive enhancement of the signup pages: live identifier availability, live password
// checklist, show/hide toggle. Every form works without this file.
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
  var password = document.getElementById("password");
  var area = document.getElementById("show-password-area");
  var toggle = document.getElementById("show-password");
  if (password && area && toggle) {
    area.hidden = false;
    toggle.addEventListener("change", function () {
      var type = toggle.checked ? "text" : "password";
      password.type = type;
      var repeat = document.getElementById("password_repeat");
      if (repeat) { repeat.type = type; }
    });
  }
  var checklist = document.getElementById("password-checklist");
  if (password && checklist) {
    password.addEventListener("input", function () {
      var token = document.querySelector('input[name="csrf_token"]').value;
      fetch("password-check", {
        method: "POST", credentials: "same-origin", body: new URLSearchParams({ password: password.value }),
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token }
      })
        .then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (!data) { return; }  // limited (429): the step still checks the password when sent
          data.items.forEach(function (item) {
            var li = checklist.querySelector('[data-code="' + item.code + '"]');
            if (li) { li.className = item.met ? "met" : ""; }
          });
          var meter = document.getElementById("password-strength");
          if (meter) { meter.textContent = "Niveau de sécurité : " + data.strength; }
        });
    });
  }
})();
