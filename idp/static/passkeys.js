// Passkeys (idp/mfa/passkey_views.py): asks the server for the WebAuthn options (a POST
// with the page's CSRF token), calls navigator.credentials.create/get, and posts the
// authenticator's answer, base64url-encoded as JSON, with the page's own form: the server
// answers that form with a redirect, as any login form. Without WebAuthn the login's
// passkey section stays hidden and the password form remains.
(function () {
  "use strict";
  if (window.idpPasskeys) { return; }
  window.idpPasskeys = true;

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) { return Object.assign({}, item, {id: toBytes(item.id)}); });
  }

  function askOptions(form) {
    var body = new FormData();
    body.append("csrf_token", form.elements.csrf_token.value);
    if (form.elements.interaction) { body.append("interaction", form.elements.interaction.value); }
    return fetch(form.dataset.optionsUrl, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.message || "La clé d'accès n'a pas pu être utilisée."); }
          return data;
        });
      });
  }

  function registered(credential) {
    var response = credential.response;
    return {id: credential.id, rawId: toText(credential.rawId), type: credential.type,
            response: {clientDataJSON: toText(response.clientDataJSON),
                       attestationObject: toText(response.attestationObject),
                       transports: response.getTransports ? response.getTransports() : []},
            clientExtensionResults: credential.getClientExtensionResults()};
  }

  function asserted(credential) {
    var response = credential.response;
    return {id: credential.id, rawId: toText(credential.rawId), type: credential.type,
            response: {clientDataJSON: toText(response.clientDataJSON),
                       authenticatorData: toText(response.authenticatorData),
                       signature: toText(response.signature), userHandle: toText(response.userHandle)},
            clientExtensionResults: credential.getClientExtensionResults()};
  }

  function create(options) {
    var publicKey = Object.assign({}, options, {challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, {id: toBytes(options.user.id)}),
      excludeCredentials: descriptors(options.excludeCredentials)});
    return navigator.credentials.create({publicKey: publicKey}).then(registered);
  }

  function get(options) {
    var publicKey = Object.assign({}, options, {challenge: toBytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials)});
    return navigator.credentials.get({publicKey: publicKey}).then(asserted);
  }

  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    box.textContent = message;
    box.hidden = false;
  }

  function enhance(form, ceremony) {
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      if (form.elements.name && !form.elements.name.value.trim()) {
        showError(form, "Donnez un nom à cette clé d'accès.");
        form.elements.name.focus();
        return;
      }
      busy = true;
      askOptions(form).then(function (data) {
        form.elements.handle.value = data.handle;
        return ceremony(data.publicKey);
      }).then(function (answer) {
        form.elements.credential.value = JSON.stringify(answer);
        form.submit();
      }).catch(function (error) {
        busy = false;
        showError(form, error && error.name === "NotAllowedError"
          ? "L'opération a été annulée ou a expiré. Recommencez."
          : (error && error.message) || "La clé d'accès n'a pas pu être utilisée.");
      });
    });
  }

  function start() {
    if (!window.PublicKeyCredential) { return; }
    document.querySelectorAll('form[data-passkey="register"]').forEach(function (form) { enhance(form, create); });
    document.querySelectorAll('[data-passkey="login"]').forEach(function (section) {
      section.hidden = false;
      enhance(section.querySelector("form"), get);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
