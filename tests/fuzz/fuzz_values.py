"""Hypothesis strategies for malformed request values: what the property test sends.

A fixed corpus of values that broke or could break a parser, a database or an error
builder (NUL, control characters, non-ASCII, quotes, Unicode digits, non-standard JSON,
deep nesting, over-long values), mixed with generated text. Values are ``str`` that HTTP can
carry (no lone surrogates: the client could not encode them).
"""

from __future__ import annotations

import base64

from hypothesis import strategies as st

DEEP_ARRAY = "[" * 1500 + "]" * 1500                 # within the claims cap, beyond the depth cap
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000     # 40 kB: beyond every cap
CORPUS = [
    "\x00", "a\x00b", "%00", "\r\n", "\t", "\x1b[31m", "\x7f", "é", "É\u0301", '"', "\\", "'", "²", "١٢",
    "①", "NaN", "Infinity", "-1", "0", "1e309", "99999999999999999999999", "null", "true", "[]", "{}",
    '{"a":NaN}', '{"userinfo":{"email":null}}', '{"id_token":{"\\u0000":null}}', '{"userinfo":"x"}',
    '{"userinfo":{"email":{"essential":true,"values":[1,{"a":[[[[[]]]]]}]}}}', '"\\ud800"',
    DEEP_ARRAY, DEEP_OBJECT, "x" * 2001, "y" * 9000, " ", "", "💥", "<script>alert(1)</script>",
    "' OR '1'='1", "../../../etc/passwd", "https://evil.example/cb", "https://rp.example/cb\\",
    "http://127.0.0.1:1/", "javascript:alert(1)", "openid", "openid profile email offline_access", "code",
    "code id_token", "token", "S256", "plain", "none", "login consent", "form_post", "fragment",
    "query", "%FF%FE", "\u202e", "\ufeff", "\u2028", "A" * 65, "a" * 300, "1 84 03 12 345 678",
    "2910775123456", "jean.dupont", "camille@example.fr", "+33612345678", "06.12.34.56.78",
    "1990-05-17", "31/02/2024", "0000-00-00", "on", "yes", "allow", "deny", "send", "sms", "email",
]
_TEXT = st.characters(exclude_categories=("Cs",))


def values() -> st.SearchStrategy[str]:
    """Mostly the corpus (what is known to break things), else generated text and numbers."""
    corpus = st.sampled_from(CORPUS)
    return st.one_of(
        corpus, corpus, corpus,
        st.text(_TEXT, max_size=24),
        st.text(st.sampled_from("0123456789²³¹١٢٣٤ -+.e"), min_size=1, max_size=6),
        st.integers(-(10 ** 20), 10 ** 20).map(str),
    )


def names(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(known), st.sampled_from(["\x00", "a\x00", "é", "x" * 80, "", "[]"]),
                     st.text(_TEXT, min_size=1, max_size=8))


def header_text() -> st.SearchStrategy[str]:
    """What an HTTP header can carry (Latin-1, no CR/LF/NUL)."""
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)


def basic_header(valid: str | None) -> st.SearchStrategy[str | None]:
    """An ``Authorization`` header: none, the valid one, or Basic credentials that are not."""
    encoded = st.binary(max_size=24).map(lambda raw: "Basic " + base64.b64encode(raw).decode())
    colon = st.tuples(values(), values()).map(
        lambda pair: "Basic " + base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode())
    return st.one_of(st.none(), st.just(valid), st.just("Basic //46/w=="), encoded, colon,
                     header_text().map(lambda text: "Basic " + text), header_text())


def mutated(draw, base: dict[str, str], known: list[str]) -> list[tuple[str, str]]:
    """``base`` with each value kept, dropped, doubled or replaced by a malformed one, plus a
    few extra parameters."""
    pairs = []
    for name, value in base.items():
        fate = draw(st.sampled_from(("keep", "keep", "malformed", "malformed", "drop", "twice")))
        if fate == "keep":
            pairs.append((name, value))
        elif fate == "malformed":
            pairs.append((name, draw(values())))
        elif fate == "twice":
            pairs += [(name, value), (name, draw(values()))]
    for _ in range(draw(st.integers(0, 2))):
        pairs.append((draw(names(known)), draw(values())))
    return pairs
