"""Request bodies above [server] max_request_bytes get 413 before parsing or CSRF; only the
supporting-document upload takes more (its file, up to 5 MB)."""

from __future__ import annotations

import io

from helpers import authorize, location, page_text, path_of, make_client

TITLE = "Envoi trop volumineux"
MESSAGE = ("Les données envoyées dépassent la taille autorisée. Revenez en arrière et réessayez ; un "
           "justificatif ne doit pas dépasser 5 Mo.")
CSRF_REFUSED = "Ce formulaire a expiré ou ne vient pas de ce site."
LIMIT = 64 * 1024
UPLOAD = "/caf/signup/justificatif"


def _claimed(http, path, length: int):
    """A POST that declares ``length`` bytes and sends a few: only a reader would notice."""
    return http.open(path, method="POST", input_stream=io.BytesIO(b"csrf_token=x&a=b"),
                     environ_overrides={"CONTENT_LENGTH": str(length),
                                        "CONTENT_TYPE": "application/x-www-form-urlencoded"})


def test_a_300_mb_body_is_refused_before_parsing_and_csrf(http, app):
    client_id, _ = make_client(app, "caf")
    login = path_of(location(authorize(http, "caf", client_id)))
    response = _claimed(http, login, 300 * 1024 * 1024)
    assert response.status_code == 413
    text = page_text(response)
    assert TITLE in text and MESSAGE in text and CSRF_REFUSED not in text


def test_the_limit_is_exact(http, app):
    at_limit = http.post("/caf/signup/cancel", data={"csrf_token": "x", "pad": "a" * (LIMIT - 20)})
    assert at_limit.status_code == 400 and CSRF_REFUSED in page_text(at_limit)   # read, then CSRF
    over = http.post("/caf/signup/cancel", data={"csrf_token": "x", "pad": "a" * LIMIT})
    assert over.status_code == 413 and TITLE in page_text(over)


def test_a_chunked_body_is_cut_at_the_limit(http):
    """No Content-Length: Werkzeug stops reading at the limit (request.max_content_length)."""
    response = http.open("/caf/signup/cancel", method="POST", input_stream=io.BytesIO(b"a=" + b"b" * (2 * LIMIT)),
                         environ_overrides={"CONTENT_TYPE": "application/x-www-form-urlencoded",
                                            "wsgi.input_terminated": True})
    assert response.status_code == 413 and TITLE in page_text(response)


def test_protocol_endpoints_answer_json(http):
    response = _claimed(http, "/caf/token", 300 * 1024 * 1024)
    assert response.status_code == 413
    assert response.get_json() == {"error": "invalid_request", "error_description": "request body too large"}


def test_the_document_upload_takes_its_file_and_no_more(http):
    document = {"csrf_token": "x", "document": (io.BytesIO(b"%PDF-" + b"0" * (1024 * 1024)), "cni.pdf")}
    taken = http.post(UPLOAD, data=document, content_type="multipart/form-data")
    assert taken.status_code == 400 and CSRF_REFUSED in page_text(taken)   # past the limit, to CSRF
    over = _claimed(http, UPLOAD, 6 * 1024 * 1024)
    assert over.status_code == 413 and TITLE in page_text(over)
