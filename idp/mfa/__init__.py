"""The second factor (eIDAS "substantiel", ``acr=eidas2``): TOTP, recovery codes, and the
registry (:mod:`.factors`) other kinds (passkeys) plug into. The engine decides when a second
factor is needed (:mod:`idp.oidc.levels`) and sends the person to the ``mfa`` step, whose
page is here (:mod:`.views`)."""
