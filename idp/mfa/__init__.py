"""The second factor (issue 16): the factors an account may enrol besides its password
(passkeys here: :mod:`idp.mfa.passkeys`), their pages, and what they prove (``acr``, ``amr``)."""
