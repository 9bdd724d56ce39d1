"""What a submitted form comes to: the one model of page errors.

A form page (a signup step, FranceConnect's completion page) checks what was posted and
gets one :class:`Outcome`, which its view switches on:

- ``next``: accepted, go on (the next step, the account);
- ``invalid``: French messages by field, each shown next to its field and listed in the
  error summary (``_forms.html``); the key ``form`` (or a fixed group such as ``identity``)
  is an error of the whole page. ``throttled`` when a limit of :mod:`idp.signup.limits`
  said no: the page answers 429 rather than 400;
- ``notice``: nothing is wrong, the page is shown again with a message ("code envoyé");
- ``finish``: the journey ends here on a page of its own, ``finished`` names it.

Keys are field names and nothing else: one starting with ``_`` is refused. Such keys
(``_sent``, ``_throttled``, ``_finish``, ``_taken``) used to carry control flow inside the
errors dict, so that a view had to pop them before rendering and a forgotten pop showed
``True`` as an error message. What a view needs beside the messages is an attribute here.

Protocol errors (OAuth codes, JSON or a redirect to the client) are not page errors: they
are :mod:`idp.oidc.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping


class Outcome:
    """The result of checking one form. Built by its constructors, or as a collector
    (:meth:`refuse`, :meth:`merge`, :meth:`tell`) by a page that runs several checks."""

    def __init__(self, errors: Mapping[str, str] | None = None, *, notice=None, throttled: bool = False,
                 finished: str | None = None, reason: str | None = None):
        self.errors: dict = {}
        self.notice = notice
        self.throttled = throttled
        self.finished = finished
        self.reason = reason          # why, for the page's own wording (``identifier_taken``)
        for name, message in (errors or {}).items():
            self.refuse(name, message)

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def next(cls) -> Outcome:
        return cls()

    @classmethod
    def invalid(cls, errors: Mapping[str, str], *, throttled: bool = False, reason: str | None = None) -> Outcome:
        return cls(errors, throttled=throttled, reason=reason)

    @classmethod
    def limited(cls, name: str, message) -> Outcome:
        """A limit refused: ``message`` (when to try again) shown at ``name``, 429."""
        return cls({name: message}, throttled=True)

    @classmethod
    def page_error(cls, message) -> Outcome:
        """An error of the whole page, not of one field (``form``: no link in the summary)."""
        return cls({"form": message})

    @classmethod
    def told(cls, message) -> Outcome:
        """Nothing wrong; the page again, with ``message`` (a code was sent)."""
        return cls(notice=message)

    @classmethod
    def finish(cls, kind: str) -> Outcome:
        return cls(finished=kind)

    # -- collecting --------------------------------------------------------------------------

    def refuse(self, name: str, message, *, throttled: bool = False) -> Outcome:
        if not isinstance(name, str) or not name or name.startswith("_"):
            raise ValueError(f"{name!r} is not a field name: say it with an attribute of Outcome")
        self.errors[name] = message
        self.throttled = self.throttled or throttled
        return self

    def merge(self, other: Outcome | Mapping[str, str]) -> Outcome:
        """Add ``other``'s errors (and its throttling) to these."""
        if isinstance(other, Outcome):
            for name, message in other.errors.items():
                self.refuse(name, message)
            self.throttled = self.throttled or other.throttled
            self.notice = self.notice or other.notice
            self.reason = self.reason or other.reason
        else:
            for name, message in other.items():
                self.refuse(name, message)
        return self

    def tell(self, message) -> Outcome:
        self.notice = message
        return self

    # -- reading -----------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        if self.finished:
            return "finish"
        if self.errors:
            return "invalid"
        return "notice" if self.notice else "next"

    @property
    def accepted(self) -> bool:
        return self.kind == "next"

    @property
    def status(self) -> int:
        """The page's status: 429 when a limit said no, 400 for errors, else 200."""
        return 429 if self.throttled else 400 if self.errors else 200

    def __repr__(self) -> str:
        return f"Outcome({self.kind}, errors={sorted(self.errors)}, throttled={self.throttled})"
