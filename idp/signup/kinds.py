"""Which function checks each step kind (the order of the steps is the tenant's)."""

from idp.signup.directory_steps import check_access, check_directory
from idp.signup.identity_steps import check_contact, check_document, check_nir
from idp.signup.steps import check_consent, check_fields, check_identifier, check_password, check_recap

CHECKS = {
    "fields": check_fields,
    "identifier": check_identifier,
    "nir": check_nir,
    "document": check_document,
    "contact": check_contact,
    "directory": check_directory,
    "access": check_access,
    "password": check_password,
    "consent": check_consent,
    "recap": check_recap,
}
