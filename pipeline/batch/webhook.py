"""POST finished records to a tracker's webhook, with retries, backoff and a timeout.

Delivery is at-least-once: the catalog marks a delivery due in the same transaction that finishes the
document, and clears it only after a 2xx answer; a delivery that fails after its retries stays due and
is re-sent by the next run. Each POST carries ``Idempotency-Key: <sha256 of the input>`` so a receiver
can drop the rare duplicate (a crash between the answer and the catalog commit).
Retries use urllib3's ``Retry`` (exponential backoff, on connection errors, 429 and 5xx) rather than a
hand-written loop.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


@dataclass(frozen=True)
class DeliveryResult:
    sha256: str
    ok: bool
    error: str | None


def make_session(retries: int, backoff: float) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,  # POST too: the receiver dedupes by Idempotency-Key
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def post_record(
    session: requests.Session, url: str, sha256: str, body: bytes, timeout: float
) -> DeliveryResult:
    """One delivery (urllib3 retries inside); never raises."""
    try:
        response = session.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": sha256,
                "User-Agent": "vanban-batch",
            },
            timeout=timeout,
        )
    except requests.RequestException as error:
        return DeliveryResult(sha256, False, f"{type(error).__name__}: {error}"[:300])
    if 200 <= response.status_code < 300:
        return DeliveryResult(sha256, True, None)
    return DeliveryResult(sha256, False, f"HTTP {response.status_code}")


class Webhook:
    """Sends in one background thread (in order, without holding up the page workers)."""

    def __init__(self, url: str, *, retries: int = 4, backoff: float = 0.5, timeout: float = 15.0) -> None:
        self.url = url
        self.timeout = timeout
        self.session = make_session(retries, backoff)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vanban-webhook")

    def send(self, sha256: str, body: bytes) -> Future:
        return self.pool.submit(post_record, self.session, self.url, sha256, body, self.timeout)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.session.close()
