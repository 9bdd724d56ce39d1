"""The ``[notify]`` section: where messages go (SMTP, SMS gateway, letter batches) and the
development outbox.

The keys are the same as the ``[notify]`` tables of ``config.example.toml``, so an existing
configuration validates unchanged. A channel that is not enabled is not an error: its
messages are only recorded in the outbox (``Delivery.status == "queued"``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailSettings(_Section):
    """``[notify.email]``: email over SMTP."""

    enabled: bool = Field(False, description="send emails over SMTP; when false, emails only go to the outbox")
    host: str = Field("127.0.0.1", description="SMTP server host name")
    port: int = Field(25, ge=1, le=65535, description="SMTP port: 25 or 587 (STARTTLS), 465 (implicit TLS)")
    starttls: bool = Field(False, description="upgrade the plain connection with STARTTLS (port 587)")
    ssl: bool = Field(False, description="implicit TLS from the first byte (port 465); takes precedence over starttls")
    username: str = Field("", description="SMTP login; empty: no authentication")
    password: str = Field("", description="SMTP password (a secret: keep the configuration file unreadable by others)")
    sender: str = Field("Connexion <no-reply@localhost>",
                        description='From header, e.g. "Connexion <no-reply@example.fr>"; its domain names Message-IDs')
    timeout: float = Field(10.0, gt=0, description="seconds before a silent SMTP server counts as a failure")


class SmsSettings(_Section):
    """``[notify.sms]``: SMS through an HTTP gateway."""

    enabled: bool = Field(False, description="send SMS through the gateway; when false, SMS only go to the outbox")
    gateway_url: str = Field("", description='gateway endpoint receiving POST {"to", "from", "text"} as JSON')
    api_token: str = Field("", description="bearer token sent in the Authorization header (a secret)")
    sender_id: str = Field("SERVPUBLIC", description='the "from" shown on the phone: up to 11 letters and digits, '
                                                     "or a phone number")
    timeout: float = Field(10.0, gt=0, description="seconds before the gateway counts as unreachable")

    @model_validator(mode="after")
    def _gateway(self):
        if self.enabled and not self.gateway_url.startswith(("https://", "http://")):
            raise ValueError("gateway_url must be an http(s) URL when SMS are enabled")
        return self


class LetterSettings(_Section):
    """``[notify.letters]``: postal letters, handed to the printing provider as daily batch files."""

    batch_dir: str = Field("", description="folder of the daily batch files (letters-YYYYMMDD.jsonl, one JSON "
                                           "line per letter); empty: letters only go to the outbox")


class NotifySettings(_Section):
    """``[notify]``: the notifier and its channels."""

    outbox_dir: str = Field("", description="development: every message is also written here as one JSON file "
                                            "(codes and links in clear: leave empty in production)")
    dev_outbox_page: bool = Field(False, description="serve the outbox at /dev/outbox (development only)")
    email: EmailSettings = Field(EmailSettings(), description="[notify.email]: SMTP")
    sms: SmsSettings = Field(SmsSettings(), description="[notify.sms]: HTTP SMS gateway")
    letters: LetterSettings = Field(LetterSettings(), description="[notify.letters]: postal letter batches")
