"""A polite client for the police.uk API (no key; 15 requests a second, bursts of 30).

Every request has a timeout, goes through a token-bucket rate limiter under the limit,
and is retried with back-off on 429, 5xx, time-outs and dropped connections (honouring
``Retry-After``). What a user can act on (no network, police.uk down, unknown force)
becomes a :class:`~analysis.errors.DataProblem` with one sentence.

The base address comes from ``POLICE_UK_API`` (default https://data.police.uk/api), so
tests and mirrors can point it elsewhere.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from analysis.errors import DataProblem

__all__ = [
    "API_ENV",
    "DEFAULT_API",
    "USER_AGENT",
    "NotPublished",
    "PoliceAPI",
    "TokenBucket",
    "TooManyCrimes",
    "api_base",
    "poly_text",
]

#: The environment variable naming the API's base address.
API_ENV = "POLICE_UK_API"
DEFAULT_API = "https://data.police.uk/api"
VERSION = "0.1"
USER_AGENT = f"LocalFocus/{VERSION} (+neighbourhood policing dashboard)"
#: Longest wait honoured from a Retry-After header, in seconds.
MAX_RETRY_AFTER = 60.0


def api_base() -> str:
    """The API's base address: ``POLICE_UK_API`` or the public police.uk API."""
    return (os.environ.get(API_ENV, "").strip() or DEFAULT_API).rstrip("/")


class NotPublished(Exception):
    """police.uk answered 404: the month (or force) is not published there. Not a failure."""


class TooManyCrimes(Exception):
    """police.uk refused a polygon for holding more than 10,000 crimes (HTTP 503): split it."""


class _Retryable(Exception):
    """A failure worth another try: 429, 5xx, a time-out or a dropped connection."""

    def __init__(self, what: str, retry_after: float | None = None):
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


class TokenBucket:
    """At most ``rate`` requests a second on average, ``burst`` at once.

    ``clock`` and ``sleep`` are injectable so tests run instantly.
    """

    def __init__(
        self,
        rate: float = 12.0,
        burst: int = 12,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = float(rate), float(burst)
        self._clock, self._sleep = clock, sleep
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is there; return the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
            if wait:
                self._sleep(wait)
                self._tokens = 1.0
                self._last = self._clock()
            self._tokens -= 1
            return wait


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def exponential_wait(base: float = 1.0, cap: float = 30.0) -> Callable[[RetryCallState], float]:
    """Back-off for tenacity: ``Retry-After`` when police.uk gives one, else base * 2**(n-1), capped."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        return min(cap, base * 2 ** (state.attempt_number - 1))

    return wait


def poly_text(ring: Sequence[tuple[float, float]]) -> str:
    """A ring of (longitude, latitude) as police.uk's ``poly``: ``lat,lng:lat,lng:...`` (6 decimals).

    Examples
    --------
    >>> poly_text([(-2.9, 54.8), (-2.8, 54.8), (-2.8, 54.9), (-2.9, 54.8)])
    '54.8,-2.9:54.8,-2.8:54.9,-2.8'
    """
    points = list(ring)
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    return ":".join(f"{round(lat, 6):g},{round(lng, 6):g}" for lng, lat in points)


@dataclass
class PoliceAPI:
    """The police.uk endpoints Local Focus uses.

    Parameters
    ----------
    base_url : str, optional
        Default: :func:`api_base`.
    timeout : (connect, read) seconds on every request.
    attempts : tries per request before giving up.
    wait : tenacity wait strategy (default :func:`exponential_wait`); tests pass a short one.
    sleep : how waits are slept (tests record them instead).
    limiter : the rate limiter shared by every request.
    """

    base_url: str = field(default_factory=api_base)
    timeout: tuple[float, float] = (10.0, 120.0)
    attempts: int = 5
    wait: Callable[[RetryCallState], float] = field(default_factory=exponential_wait)
    sleep: Callable[[float], None] = time.sleep
    limiter: TokenBucket = field(default_factory=TokenBucket)
    session: requests.Session = field(default_factory=requests.Session)
    #: Requests sent (each try counts).
    requests_sent: int = 0

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    # -- transport -----------------------------------------------------------------------------

    def _once(self, method: str, path: str, params: dict | None, data: dict | None, split_on_503: bool):
        self.limiter.acquire()
        self.requests_sent += 1
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = self.session.request(method, url, params=params, data=data, timeout=self.timeout)
        except requests.Timeout as e:
            raise _Retryable("did not answer in time") from e
        except requests.ConnectionError as e:
            raise _Retryable("could not be reached") from e
        status = response.status_code
        if status == 404:
            raise NotPublished(path)
        if status == 503 and split_on_503:
            raise TooManyCrimes(path)
        if status == 429 or status >= 500:
            raise _Retryable(f"answered HTTP {status}", _retry_after(response))
        if status >= 400:
            raise RuntimeError(f"police.uk answered HTTP {status} to {method} {url}")
        try:
            return response.json()
        except ValueError as e:
            raise _Retryable("answered something that is not JSON") from e

    def request(
        self,
        method: str,
        path: str,
        params: dict | None = None,
        data: dict | None = None,
        split_on_503: bool = False,
    ):
        """One JSON request with rate limiting and retries.

        Raises
        ------
        NotPublished
            On 404.
        TooManyCrimes
            On 503 when ``split_on_503`` (a polygon holding more than 10,000 crimes).
        DataProblem
            When police.uk cannot be reached or keeps failing after every try.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self.wait,
            sleep=self.sleep,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            return retrying(self._once, method, path, params, data, split_on_503)
        except _Retryable as e:
            where = self.base_url
            if e.what == "could not be reached":
                raise DataProblem(
                    f"police.uk ({where}) could not be reached after {self.attempts} tries: "
                    "check the internet connection (or POLICE_UK_API) and run the fetch again."
                ) from None
            raise DataProblem(
                f"police.uk ({where}) {e.what} after {self.attempts} tries: it may be down or busy, "
                "so try again later (months already fetched are kept)."
            ) from None

    # -- endpoints -----------------------------------------------------------------------------

    def street_dates(self) -> list[str]:
        """Months police.uk holds street-level crime for (``crimes-street-dates``), oldest first."""
        answer = self.request("GET", "crimes-street-dates")
        return sorted(str(entry["date"]) for entry in answer)

    def forces(self) -> list[dict]:
        """Every force: ``[{"id", "name"}]``."""
        return list(self.request("GET", "forces"))

    def force_name(self, force: str) -> str:
        """The force's name (``Cumbria Constabulary``) for ``Reported by`` and ``Falls within``.

        Raises
        ------
        DataProblem
            When police.uk has no such force (the message lists the valid ids).
        """
        try:
            return str(self.request("GET", f"forces/{force}")["name"])
        except NotPublished:
            ids = sorted(str(f["id"]) for f in self.forces())
            raise DataProblem(f"police.uk has no force '{force}': use one of {', '.join(ids)}.") from None

    def street_crimes(self, poly: str, month: str) -> list[dict]:
        """Street-level crimes and ASB inside ``poly`` in ``month`` (POST, so a long polygon fits).

        Raises
        ------
        TooManyCrimes
            When the polygon holds more than police.uk answers for at once.
        NotPublished
            When the month is not published.
        """
        return list(
            self.request("POST", "crimes-street/all-crime", data={"poly": poly, "date": month}, split_on_503=True)
        )

    def crimes_no_location(self, force: str, month: str) -> list[dict]:
        """The force's crimes without a place in ``month``."""
        params = {"category": "all-crime", "force": force, "date": month}
        return list(self.request("GET", "crimes-no-location", params=params))

    def neighbourhoods(self, force: str) -> list[dict]:
        """The force's neighbourhoods: ``[{"id", "name"}]``."""
        return list(self.request("GET", f"{force}/neighbourhoods"))

    def boundary(self, force: str, neighbourhood: str) -> list[tuple[float, float]]:
        """A neighbourhood's boundary as (longitude, latitude) points."""
        answer = self.request("GET", f"{force}/{neighbourhood}/boundary")
        return [(float(p["longitude"]), float(p["latitude"])) for p in answer]
