"""Where the FranceConnect button leads until the federation lands (issue 5): an honest
French page instead of a dead link. Replaced by providers/franceconnect.py's flow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from flask import abort, g, render_template

from ..tenancy import tenant_blueprint

bp = tenant_blueprint("franceconnect_pending", __name__)


@bp.route("/franceconnect/start", methods=["POST"])
def start():
    if not g.tenant.config.franceconnect:
        abort(404)
    return render_template("error.html", title=_l("FranceConnect bientôt disponible"),
                           message=_l("La connexion avec FranceConnect n'est pas encore ouverte pour ce service. "
                                   "Utilisez votre identifiant et votre mot de passe.")), 503
