"""Messages to people: email over SMTP, SMS through an HTTP gateway, postal letters in daily
batches for the printing provider, from French templates carrying the tenant's name. In
development every message is also written to ``notify.outbox_dir`` and listed at
``/dev/outbox``.

    from idp.notify import Message, notifier
    notifier().send(Message(tenant="caf", tenant_name="Caf – Mon Compte", channel="sms",
                            recipient="+33612345678", template="activation_code",
                            context={"code": "123456"}))
"""

from idp.notify.channels import Channel, HttpSms, LetterBatch, SmtpEmail
from idp.notify.message import Delivery, DeliveryError, Message
from idp.notify.notifier import Notifier, notifier, setup_notify
from idp.notify.settings import EmailSettings, LetterSettings, NotifySettings, SmsSettings
from idp.notify.templates import Rendered, render, template_names
from idp.notify.views import dev_blueprint

__all__ = ["Channel", "Delivery", "DeliveryError", "EmailSettings", "HttpSms", "LetterBatch", "LetterSettings",
           "Message", "Notifier", "NotifySettings", "Rendered", "SmsSettings", "SmtpEmail", "dev_blueprint",
           "notifier", "render", "setup_notify", "template_names"]
