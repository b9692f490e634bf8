"""HTTP hook notices: a JSON POST of the notice (central/cases/notify.py) to the roster's URL,
for an SMS gateway or a unit's own system. Any 2xx answer is delivery; anything else is
retried. A bearer token, when the credential [cases.hook] token_credential exists, goes in
the Authorization header.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from central.cases.notify import Notice, NoticeError, Notifier
from config.loader import credential
from config.models import CasesConfig


class HookNotifier(Notifier):
    def __init__(self, config: CasesConfig) -> None:
        self.config = config.hook

    def send(self, target: str, notice: Notice) -> None:
        body = json.dumps(notice.to_json(), separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "imdms-cases"}
        if token := credential(self.config.token_credential):
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(target, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_s) as answer:  # noqa: S310
                status = int(answer.status)
        except urllib.error.HTTPError as err:
            raise NoticeError(f"hook answered HTTP {err.code}") from err
        except (urllib.error.URLError, OSError) as err:
            why = getattr(err, "reason", None) or err
            raise NoticeError(f"hook unreachable: {why.__class__.__name__}") from err
        if not 200 <= status < 300:
            raise NoticeError(f"hook answered HTTP {status}")
