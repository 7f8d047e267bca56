"""POST finished records to a tracker's webhook, with retries, backoff and a timeout.

Delivery is at-least-once: the catalog marks a delivery due in the same transaction that finishes the
document, and clears it only after a 2xx answer; a delivery that fails after its retries stays due and
is re-sent by the next run. Each POST carries ``Idempotency-Key: <sha256 of the input>`` so a receiver
can drop the rare duplicate (a crash between the answer and the catalog commit).
Retries use urllib3's ``Retry`` (exponential backoff, on connection errors, 429 and 5xx) rather than a
hand-written loop.

Deliveries run in their own thread, fed through a bounded queue, while the batch goes on. A receiver
that fails (down, or accepting and never answering) costs the run a bounded time, ``worst_case_s``:
once failed deliveries have taken ``give_up_after_s`` in all, the rest of the run's deliveries are not
attempted and stay due for the next run; the batch prints the bound when it starts. Before, one receiver that never answered cost 84 s per
document, one document after another: about 23 h for 1,000 documents.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipeline.errors import UsageError


def check_webhook_url(url: str) -> None:
    """Refuse, before any work, a URL every delivery would fail on."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--webhook takes an http:// or https:// URL, not {url!r}")


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
        # A 429's Retry-After may ask for an hour: our own backoff keeps a delivery's time bounded.
        respect_retry_after_header=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def post_record(
    session: requests.Session, url: str, sha256: str, body: bytes, timeout: tuple[float, float]
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
    """Delivers records in one background thread, in order, without holding up the batch."""

    def __init__(
        self,
        url: str,
        *,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        give_up_after_s: float = 60.0,
        queue_size: int = 16,
    ) -> None:
        check_webhook_url(url)
        self.url = url
        self.timeout = (connect_timeout, timeout)
        self.retries = retries
        self.backoff = backoff
        self.give_up_after_s = give_up_after_s
        self.failed_seconds = 0.0
        self.session = make_session(retries, backoff)
        # Bounded: a record line waits here at most queue_size deep; the batch blocks briefly when the
        # receiver is slower than the pages, and not past worst_case_s when it is dead.
        self.jobs: queue.Queue = queue.Queue(maxsize=queue_size)
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._work, name="vanban-webhook", daemon=True)
        self.thread.start()

    @property
    def one_delivery_max_s(self) -> float:
        """The longest one delivery can take: every attempt timing out, every backoff slept."""
        attempts = self.retries + 1
        sleeps = sum(min(self.backoff * 2**i, Retry.DEFAULT_BACKOFF_MAX) for i in range(self.retries))  # urllib3's cap
        return attempts * sum(self.timeout) + sleeps

    @property
    def worst_case_s(self) -> float:
        """The most a failing receiver can cost this run: the give-up budget plus the delivery that
        crossed it."""
        return self.give_up_after_s + self.one_delivery_max_s

    def send(self, sha256: str, body: bytes) -> None:
        self.jobs.put((sha256, body))

    def _work(self) -> None:
        while True:
            item = self.jobs.get()
            if item is None or self.stopping.is_set():
                return
            sha256, body = item
            if self.failed_seconds >= self.give_up_after_s:
                self.results.put(
                    DeliveryResult(sha256, False, f"not sent: the receiver failed for {self.failed_seconds:.0f} s")
                )
                continue
            started = time.monotonic()
            result = post_record(self.session, self.url, sha256, body, self.timeout)
            if not result.ok:
                self.failed_seconds += time.monotonic() - started
            self.results.put(result)

    def ready(self) -> list[DeliveryResult]:
        """The results delivered since the last call (never waits)."""
        out = []
        while True:
            try:
                out.append(self.results.get_nowait())
            except queue.Empty:
                return out

    def finish(self) -> list[DeliveryResult]:
        """Wait for the queued deliveries (at most ``worst_case_s`` of failures) and return their results."""
        self.jobs.put(None)
        self.thread.join()
        return self.ready()

    def close(self) -> None:
        """Stop without waiting for the queue (an interrupted run): what was not sent stays due."""
        self.stopping.set()
        with contextlib.suppress(queue.Full):
            self.jobs.put_nowait(None)
        self.thread.join(timeout=1.0)
        self.session.close()
