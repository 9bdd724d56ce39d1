// Progressive enhancement of the DSFR password fields (templates/_forms.html): shows the
// "Afficher" box, which only works with JavaScript, and keeps a policy checklist up to date
// while typing, each rule saying in words whether it is met (not by colour alone). Every
// form works without this file. Included once per password field: runs once per page.
(function () {
  "use strict";
  if (window.idpPasswordFields) { return; }
  window.idpPasswordFields = true;

  function enhanceToggle(box) {
    var field = box.closest(".fr-password");
    var input = field && field.querySelector(".fr-password__input");
    var toggle = box.querySelector("[data-password-toggle]");
    if (!input || !toggle) { return; }
    box.hidden = false;
    // sets the type from the box's state, so it agrees with the DSFR's own script if loaded
    toggle.addEventListener("change", function () { input.type = toggle.checked ? "text" : "password"; });
  }

  function showChecklist(field, data) {
    data.items.forEach(function (item) {
      var rule = field.querySelector('[data-code="' + item.code + '"]');
      if (!rule) { return; }
      rule.classList.toggle("fr-message--valid", item.met);
      rule.classList.toggle("fr-message--info", !item.met);
      rule.querySelector("[data-state]").textContent = item.met ? " : " + rule.dataset.frValid : " : " + rule.dataset.frError;
    });
    var strength = field.querySelector("[data-strength]");
    if (strength) { strength.textContent = "Niveau de sécurité : " + data.strength; }
  }

  function enhanceChecklist(field) {
    var input = field.querySelector(".fr-password__input");
    var url = field.dataset.checkUrl;
    var token = document.querySelector('input[name="csrf_token"]');
    if (!input || !url || !token) { return; }
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url, {
          method: "POST", credentials: "same-origin", body: new URLSearchParams({ password: input.value }),
          headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token.value }
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (data) { showChecklist(field, data); }  // limited (429): the step still checks when sent
        });
      }, 250);
    });
  }

  function start() {
    document.querySelectorAll(".fr-password__checkbox[hidden]").forEach(enhanceToggle);
    document.querySelectorAll(".fr-password[data-check-url]").forEach(enhanceChecklist);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
