"""Email notices by SMTP (smtplib): STARTTLS when configured, AUTH when a user is set.

The password comes from the credential named by [cases.smtp] password_credential (systemd
LoadCredential=, config.loader.credential), never from the TOML. One connection per notice:
referrals are rare, and a fresh connection never trips over a server's idle timeout.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from central.cases.notify import Notice, NoticeError, Notifier
from config.loader import credential
from config.models import CasesConfig


class SmtpNotifier(Notifier):
    def __init__(self, config: CasesConfig) -> None:
        self.config = config.smtp
        if not self.config.host:
            raise NoticeError(
                "no SMTP server configured",
                "set [cases.smtp] host, or remove email from the roster",
            )

    def message(self, target: str, notice: Notice) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.config.sender
        msg["To"] = target
        msg["Subject"] = notice.subject()
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = make_msgid(domain="imdms")
        msg["X-IMDMS-Case"] = notice.case_id
        msg.set_content(notice.text())
        return msg

    def send(self, target: str, notice: Notice) -> None:
        cfg = self.config
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s) as smtp:
                smtp.ehlo()
                if cfg.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if cfg.username:
                    smtp.login(cfg.username, credential(cfg.password_credential) or "")
                refused = smtp.send_message(self.message(target, notice))
        except smtplib.SMTPResponseException as err:
            raise NoticeError(f"SMTP server said {err.smtp_code}") from err
        except smtplib.SMTPRecipientsRefused as err:
            raise NoticeError("SMTP server refused the address") from err
        except smtplib.SMTPNotSupportedError as err:
            raise NoticeError("SMTP server does not offer STARTTLS") from err
        except (smtplib.SMTPException, OSError) as err:
            raise NoticeError(f"SMTP {cfg.host}:{cfg.port}: {err.__class__.__name__}") from err
        if refused:
            raise NoticeError("SMTP server refused the address")
