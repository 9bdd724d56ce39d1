"""The second factor (eIDAS "substantiel", ``acr=eidas2``): TOTP, recovery codes, passkeys
(:mod:`.passkeys`: a passkey with user verification is two factors in one and may stand in
for the password), and the registry (:mod:`.factors`) of the kinds a step-up accepts. The
engine decides when a second factor is needed (:mod:`idp.oidc.levels`) and sends the person
to the ``mfa`` step, whose page is here (:mod:`.views`)."""
