"""Catalogue of identifier and signup-field messages, in French and English.

Merged into :data:`policies.messages.CATALOGUE`. Facts quoted in the texts come from
shared/design/french-identifiers.md and the seeds (ameli: "les 7 derniers chiffres de mon
IBAN", carte Vitale "11 derniers chiffres" / "8 à 13 chiffres"; RNA "W suivie de 9 chiffres").
"""

from __future__ import annotations

from policies.messages import Plural

_NIR = "Le numéro de sécurité sociale"

CATALOGUE: dict[str, tuple[str, str] | Plural] = {
    # --- NIR (french-identifiers.md §1) -------------------------------------------------
    "nir.bad_length": (
        _NIR + " doit comporter {expected} caractères (vous en avez saisi {length}).",
        "The social security number must be {expected} characters long (you typed {length}).",
    ),
    "nir.bad_characters": (
        _NIR + " ne contient que des chiffres, sauf 2A ou 2B pour une naissance en Corse.",
        "The social security number contains only digits, except 2A or 2B for a birth in Corsica.",
    ),
    "nir.bad_sex": (
        _NIR + " commence par 1 ou 2 (7 ou 8 pour un numéro provisoire).",
        "The social security number starts with 1 or 2 (7 or 8 for a provisional number).",
    ),
    "nir.provisional_refused": (
        "Les numéros provisoires (commençant par 7 ou 8) ne sont pas acceptés : "
        "utilisez votre numéro de sécurité sociale définitif.",
        "Provisional numbers (starting with 7 or 8) are not accepted: "
        "use your permanent social security number.",
    ),
    "nir.final_refused": (
        "Seuls les numéros provisoires (commençant par 7 ou 8) sont acceptés ici.",
        "Only provisional numbers (starting with 7 or 8) are accepted here.",
    ),
    "nir.bad_month": (
        "Le mois de naissance (4e et 5e chiffres) n'est pas valide.",
        "The month of birth (4th and 5th digits) is not valid.",
    ),
    "nir.bad_department": (
        "Le département de naissance (6e et 7e caractères) n'est pas valide.",
        "The département of birth (6th and 7th characters) is not valid.",
    ),
    "nir.corsica_before_1976": (
        "Les codes 2A et 2B ne concernent que les naissances depuis 1976 ; "
        "avant, la Corse avait le code 20.",
        "The codes 2A and 2B apply only to births since 1976; before that, Corsica was 20.",
    ),
    "nir.corsica_20_after_1976": (
        "Pour une naissance en Corse depuis 1976, le département est 2A ou 2B, et non 20.",
        "For a birth in Corsica since 1976, the département is 2A or 2B, not 20.",
    ),
    "nir.bad_commune": (
        "Le code de la commune de naissance (8e à 10e chiffres) n'est pas valide.",
        "The code of the place of birth (8th to 10th digits) is not valid.",
    ),
    "nir.bad_country": (
        "Le code du pays de naissance (8e à 10e chiffres) n'est pas valide.",
        "The code of the country of birth (8th to 10th digits) is not valid.",
    ),
    "nir.bad_order": (
        "Le numéro d'ordre (11e à 13e chiffres) ne peut pas être 000.",
        "The serial number (11th to 13th digits) cannot be 000.",
    ),
    "nir.bad_key": (
        "La clé (les 2 derniers chiffres) ne correspond pas au numéro : vérifiez votre saisie.",
        "The key (last 2 digits) does not match the number: check what you typed.",
    ),
    # --- tenant provisional identifier (policies/identifiers/provisional.py) ------------
    "provisional.bad_format": (
        "L'identifiant provisoire commence par la lettre {prefix} suivie de {digits} chiffres.",
        "The provisional identifier starts with the letter {prefix} followed by {digits} digits.",
    ),
    "provisional.bad_key": (
        "L'identifiant provisoire n'est pas valide : vérifiez votre saisie.",
        "The provisional identifier is not valid: check what you typed.",
    ),
    # --- username (french-identifiers.md §8) ----------------------------------------------
    "username.too_short": (
        "L'identifiant doit comporter au moins {min} caractères.",
        "The username must be at least {min} characters long.",
    ),
    "username.too_long": (
        "L'identifiant ne doit pas dépasser {max} caractères.",
        "The username must not be longer than {max} characters.",
    ),
    "username.bad_characters": (
        "L'identifiant ne peut contenir que des lettres sans accent, des chiffres, "
        "des points, des tirets et des tirets bas.",
        "The username may contain only unaccented letters, digits, dots, hyphens and underscores.",
    ),
    "username.bad_separators": (
        "Les points, tirets et tirets bas doivent être placés entre deux lettres ou chiffres.",
        "Dots, hyphens and underscores must stand between two letters or digits.",
    ),
    "username.needs_letter": (
        "L'identifiant doit contenir au moins une lettre.",
        "The username must contain at least one letter.",
    ),
    "username.taken": (
        "Cet identifiant est déjà utilisé : essayez « {suggestion} ».",
        "This username is already taken: try \"{suggestion}\".",
    ),
    "username.available": ("Identifiant disponible !", "Username available!"),
    # --- email ------------------------------------------------------------------------------
    "email.invalid": (
        "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
        "The email address is not valid ({detail}).",
    ),
    "email.undeliverable": (
        "Le domaine de cette adresse e-mail ne peut pas recevoir de courrier.",
        "The domain of this email address cannot receive mail.",
    ),
    # --- phone (french-identifiers.md §7) --------------------------------------------------
    "phone.invalid": (
        "Le numéro de téléphone n'est pas valide (exemple : 06 12 34 56 78).",
        "The phone number is not valid (example: 06 12 34 56 78).",
    ),
    "phone.not_mobile": (
        "Indiquez un numéro de téléphone mobile pour recevoir un code par SMS.",
        "Give a mobile phone number to receive a code by SMS.",
    ),
    "phone.region_refused": (
        "Les numéros de ce pays ne sont pas acceptés.",
        "Phone numbers from this country are not accepted.",
    ),
    # --- postal code (seed 002; french-identifiers.md §4) ----------------------------------
    "postal_code.bad_format": (
        "Le code postal doit comporter 5 chiffres.", "The postal code must be 5 digits.",
    ),
    "postal_code.unknown": (
        "Ce code postal n'existe pas : vérifiez votre saisie.",
        "This postal code does not exist: check what you typed.",
    ),
    "postal_code.unknown_country": (
        "Ce code en 99 ne correspond à aucun pays : indiquez le code du pays figurant sur vos relevés.",
        "This 99 code matches no country: give the country code shown on your statements.",
    ),
    # --- date of birth -------------------------------------------------------------------
    "birthdate.invalid": (
        "La date de naissance n'est pas une date valide (format JJ/MM/AAAA).",
        "The date of birth is not a valid date (format DD/MM/YYYY).",
    ),
    "birthdate.in_future": (
        "La date de naissance ne peut pas être dans le futur.",
        "The date of birth cannot be in the future.",
    ),
    "birthdate.too_old": (
        "La date de naissance indique plus de {max_age} ans : vérifiez l'année.",
        "The date of birth means an age over {max_age}: check the year.",
    ),
    "birthdate.too_young": Plural(
        "min_age",
        "Vous devez avoir au moins {min_age} an.",
        "Vous devez avoir au moins {min_age} ans.",
        "You must be at least {min_age} year old.",
        "You must be at least {min_age} years old.",
    ),
    # --- IBAN / RIB (french-identifiers.md §5; seed 002) -----------------------------------
    "iban.bad_format": (
        "L'IBAN n'est pas valide : il commence par 2 lettres (FR pour la France) suivies de chiffres.",
        "The IBAN is not valid: it starts with 2 letters (FR for France) followed by digits.",
    ),
    "iban.bad_length": (
        "L'IBAN n'a pas la bonne longueur (27 caractères pour un IBAN français).",
        "The IBAN has the wrong length (27 characters for a French IBAN).",
    ),
    "iban.bad_checksum": (
        "L'IBAN n'est pas valide : vérifiez les caractères saisis.",
        "The IBAN is not valid: check the characters you typed.",
    ),
    "iban.bad_rib_key": (
        "La clé RIB (les 2 derniers chiffres) ne correspond pas au compte : vérifiez votre saisie.",
        "The RIB key (last 2 digits) does not match the account: check what you typed.",
    ),
    "iban.country_refused": (
        "Les comptes bancaires de ce pays ({country}) ne sont pas acceptés.",
        "Bank accounts from this country ({country}) are not accepted.",
    ),
    "iban_last7.bad_format": (
        "Saisissez les 7 derniers caractères de votre IBAN.",
        "Enter the last 7 characters of your IBAN.",
    ),
    "iban_last7.mismatch": (
        "Les 7 derniers caractères ne correspondent pas à l'IBAN connu de votre caisse.",
        "The last 7 characters do not match the IBAN your fund knows.",
    ),
    # --- carte Vitale (seed 002) ------------------------------------------------------------
    "vitale.bad_format": (
        "Le numéro de série de la carte Vitale ne contient que des chiffres.",
        "The carte Vitale serial number contains digits only.",
    ),
    "vitale.bad_length_photo": (
        "Saisissez les 11 derniers chiffres du numéro de série (sur le côté de la carte, au recto).",
        "Enter the last 11 digits of the serial number (on the edge of the card, front side).",
    ),
    "vitale.bad_length": (
        "Le numéro de série de la carte Vitale comporte de {min} à {max} chiffres.",
        "The carte Vitale serial number has {min} to {max} digits.",
    ),
    # --- identity documents (french-identifiers.md §3) -------------------------------------
    "identity.cni_bad_format": (
        "Le numéro de la carte d'identité comporte 9 lettres ou chiffres "
        "(12 chiffres pour une carte délivrée avant août 2021).",
        "The identity card number has 9 letters or digits (12 digits for a card issued before August 2021).",
    ),
    "identity.passport_bad_format": (
        "Le numéro de passeport comporte 9 caractères : 2 chiffres, 2 lettres et 5 chiffres (ex. 08CD50338).",
        "The passport number has 9 characters: 2 digits, 2 letters and 5 digits (e.g. 08CD50338).",
    ),
    "identity.residence_permit_bad_format": (
        "Le numéro étranger de votre titre de séjour comporte 10 chiffres.",
        "The foreigner number on your residence permit has 10 digits.",
    ),
    "identity.unknown_format": (
        "Ce numéro ne correspond à aucune pièce d'identité française : vérifiez votre saisie.",
        "This number matches no French identity document: check what you typed.",
    ),
    "identity.bad_check_digit": (
        "Le chiffre de contrôle ne correspond pas au numéro du document.",
        "The check digit does not match the document number.",
    ),
    # --- organisations (french-identifiers.md §6) ----------------------------------------
    "siren.bad_format": ("Le numéro SIREN comporte 9 chiffres.", "The SIREN number has 9 digits."),
    "siren.bad_checksum": (
        "Ce numéro SIREN n'est pas valide : vérifiez votre saisie.",
        "This SIREN number is not valid: check what you typed.",
    ),
    "siret.bad_format": ("Le numéro SIRET comporte 14 chiffres.", "The SIRET number has 14 digits."),
    "siret.bad_checksum": (
        "Ce numéro SIRET n'est pas valide : vérifiez votre saisie.",
        "This SIRET number is not valid: check what you typed.",
    ),
    "rna.bad_format": (
        "Le numéro RNA est composé de la lettre W suivie de 9 chiffres (ex. W751234567).",
        "The RNA number is the letter W followed by 9 digits (e.g. W751234567).",
    ),
    # --- INSEE COG codes (french-identifiers.md §4) --------------------------------------
    "insee_commune.bad_format": (
        "Le code INSEE de la commune comporte 5 caractères (ex. 75056, 2A004).",
        "The INSEE commune code has 5 characters (e.g. 75056, 2A004).",
    ),
    "insee_commune.unknown": (
        "Ce code INSEE ne correspond à aucune commune connue.",
        "This INSEE code matches no known commune.",
    ),
    "insee_country.bad_format": (
        "Le code INSEE du pays comporte 5 chiffres commençant par 99 (ex. 99109 pour l'Allemagne).",
        "The INSEE country code has 5 digits starting with 99 (e.g. 99109 for Germany).",
    ),
    "insee_country.unknown": (
        "Ce code INSEE ne correspond à aucun pays connu.",
        "This INSEE code matches no known country.",
    ),
}
