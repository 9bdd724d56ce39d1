"""The stand-in's HTML pages: identity chooser, error page, logged-out page.

Plain French HTML, inline style, no external asset, so it works offline. Jinja
autoescapes strings given to ``render_template_string``.
"""

from __future__ import annotations

from flask import render_template_string
from markupsafe import Markup

from devtools.fc_standin.identities import display_name

_LAYOUT = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – FranceConnect (simulateur local)</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #161616; }
 header { border-bottom: 3px solid #000091; margin-bottom: 1.5rem; }
 .avertissement { background: #fff4f3; border-left: 4px solid #ce0500; padding: .5rem 1rem; }
 form { margin: .5rem 0; }
 button { font-size: 1rem; padding: .6rem 1rem; cursor: pointer; }
 .identite button { background: #000091; color: #fff; border: 0; width: 100%; text-align: left; }
 .identite small { display: block; color: #dcdcfc; }
 .refus button { background: #fff; color: #000091; border: 1px solid #000091; }
</style></head>
<body><header><p><strong>FranceConnect</strong> — simulateur local (développement)</p></header>
<main><h1>{{ title }}</h1>{{ body }}</main></body></html>"""

_CHOOSER = """
<p class="avertissement">Ceci n'est pas FranceConnect : c'est un simulateur pour le développement.
Aucune donnée réelle n'est utilisée.</p>
<p>Le service <strong>{{ client_id }}</strong> demande : {{ scopes|join(", ") }}.</p>
<ul style="list-style: none; padding: 0">
{% for identity in identities %}
 <li class="identite"><form method="post" action="{{ prefix }}/interaction/{{ uid }}/login">
  <input type="hidden" name="login" value="{{ identity.login }}">
  <button type="submit" data-login="{{ identity.login }}">Se connecter en tant que {{ name(identity) }}
   <small>né(e) le {{ identity.birthdate }} — {{ identity.email }}</small></button>
 </form></li>
{% endfor %}
</ul>
<form class="refus" method="post" action="{{ prefix }}/interaction/{{ uid }}/abort">
 <button type="submit">Refuser et revenir au service</button>
</form>"""

_ERROR = """
<p class="avertissement">{% if fc_code %}Code d'erreur : <code>{{ fc_code }}</code><br>{% endif %}
<code>{{ error }}</code> : {{ description }}</p>
<p>La demande ne peut pas aboutir. Aucune redirection vers le service n'a été faite.</p>"""

_LOGGED_OUT = """<p>Vous êtes déconnecté(e) de FranceConnect (simulateur).</p>"""


def _page(title: str, body: str, **context) -> str:
    inner = render_template_string(body, **context)
    return render_template_string(_LAYOUT, title=title, body=Markup(inner))  # already escaped


def chooser_page(interaction, identities: list[dict], prefix: str) -> str:
    return _page("Choisissez une identité de démonstration", _CHOOSER, uid=interaction.uid,
                 client_id=interaction.client_id, scopes=interaction.scopes,
                 identities=identities, prefix=prefix, name=display_name)


def error_page(error) -> str:
    return _page("Une erreur est survenue", _ERROR, fc_code=error.fc_code,
                 error=error.error, description=error.description)


def logged_out_page() -> str:
    return _page("Déconnexion", _LOGGED_OUT)
