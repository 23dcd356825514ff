"""A stand-in for the police.uk API on 127.0.0.1, answering from real files read in place.

Recorded real answers (``../shared/data/police-uk/api``) give ``crimes-street-dates``, the
force and its neighbourhoods; street crimes are built at test time from real street CSVs
into the API's own JSON shape and answered per polygon (point in the POSTed ``poly``).
Nothing here is copied into the project.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analysis.fetch.fetcher import CATEGORY_NAMES

SLUGS = {name: slug for slug, name in CATEGORY_NAMES.items()}
API_DIR = Path("police-uk") / "api"


def api_records(frame: pd.DataFrame, first_id: int = 1) -> list[dict]:
    """police.uk street CSV rows (text columns) as the API's street-crime JSON."""
    records = []
    for number, row in enumerate(frame.to_dict("records"), start=first_id):
        located = row["Longitude"] != ""
        outcome = row["Last outcome category"]
        records.append(
            {
                "category": SLUGS[row["Crime type"]],
                "location_type": "Force" if located else None,
                "location": {
                    "latitude": row["Latitude"],
                    "street": {"id": 900000 + number, "name": row["Location"]},
                    "longitude": row["Longitude"],
                }
                if located
                else None,
                "context": row["Context"],
                "outcome_status": {"category": outcome, "date": row["Month"]} if outcome else None,
                "persistent_id": row["Crime ID"],
                "id": number,
                "location_subtype": "",
                "month": row["Month"],
            }
        )
    return records


@dataclass
class Month:
    """One month's records and their points."""

    records: list[dict]
    lon: np.ndarray
    lat: np.ndarray


def read_street_csvs(paths: list[Path]) -> dict[str, pd.DataFrame]:
    """{month: rows as text} from police.uk street CSVs."""
    frames = [pd.read_csv(p, dtype="str", keep_default_na=False) for p in paths]
    rows = pd.concat(frames, ignore_index=True)
    return {month: part.reset_index(drop=True) for month, part in rows.groupby("Month")}


@dataclass
class FakePoliceUK:
    """The police.uk endpoints Local Focus uses, answered from real data."""

    server: HTTPServer
    shared: Path
    months: dict[str, Month] = field(default_factory=dict)
    #: More records than this in one polygon: 503, as police.uk does past 10,000.
    limit: int = 10_000
    #: Months answered with HTTP 500 (a failure injected into a fetch).
    broken: set[str] = field(default_factory=set)
    #: Months listed by crimes-street-dates (default: the recorded answer).
    dates: list[str] | None = None
    #: Neighbourhood boundaries: {id: [(lon, lat), ...]}.
    boundaries: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    refused: int = 0
    polygons_asked: int = 0

    @property
    def url(self) -> str:
        """The base address to give POLICE_UK_API."""
        return self.server.url_for("/").rstrip("/")

    def add_rows(self, by_month: dict[str, pd.DataFrame]) -> None:
        """Serve these street CSV rows (per month) as API records."""
        next_id = 1 + sum(len(m.records) for m in self.months.values())
        for month, rows in by_month.items():
            records = api_records(rows, next_id)
            next_id += len(records)
            lon = pd.to_numeric(rows["Longitude"], errors="coerce").to_numpy()
            lat = pd.to_numeric(rows["Latitude"], errors="coerce").to_numpy()
            self.months[month] = Month(records, lon, lat)

    def install(self) -> FakePoliceUK:
        """Register the handlers on the server."""
        recorded = json.loads((self.shared / API_DIR / "cumbria_force_and_neighbourhoods_2026-03.json").read_text())
        dates = json.loads((self.shared / API_DIR / "crimes-street-dates_2017-09_to_2020-08.json").read_text())
        force_ids = sorted({f for entry in dates for f in entry["stop-and-search"]} | {"cumbria"})
        s = self.server
        s.expect_request("/crimes-street-dates").respond_with_handler(
            lambda r: self._json(
                [{"date": d, "stop-and-search": []} for d in self.dates] if self.dates is not None else dates
            )
        )
        s.expect_request("/forces").respond_with_json([{"id": f, "name": f.title()} for f in force_ids])
        s.expect_request("/forces/cumbria").respond_with_json(recorded["details"])
        s.expect_request(re.compile(r"^/forces/[^/]+$")).respond_with_data("Not Found", status=404)
        s.expect_request("/cumbria/neighbourhoods").respond_with_json(recorded["neighbourhoods"])
        s.expect_request(re.compile(r"^/cumbria/[^/]+/boundary$")).respond_with_handler(self._boundary)
        s.expect_request("/crimes-street/all-crime", method="POST").respond_with_handler(self._street)
        s.expect_request("/crimes-no-location").respond_with_handler(self._no_location)
        return self

    @staticmethod
    def _json(value, status: int = 200) -> Response:
        return Response(json.dumps(value), status=status, content_type="application/json")

    def _month(self, month: str) -> Month | Response:
        if month in self.broken:
            return Response("Internal Server Error", status=500)
        if month not in self.months:
            return Response("Not Found", status=404)
        return self.months[month]

    def _street(self, request: Request) -> Response:
        found = self._month(request.form["date"])
        if isinstance(found, Response):
            return found
        self.polygons_asked += 1
        points = [tuple(map(float, pair.split(","))) for pair in request.form["poly"].split(":")]
        polygon = shapely.Polygon([(lng, lat) for lat, lng in points])
        located = ~np.isnan(found.lon)
        inside = np.zeros(len(found.lon), dtype=bool)
        inside[located] = shapely.contains_xy(polygon, found.lon[located], found.lat[located])
        if inside.sum() > self.limit:
            self.refused += 1
            return Response("<html>Service Unavailable</html>", status=503)
        return self._json([found.records[i] for i in np.flatnonzero(inside)])

    def _no_location(self, request: Request) -> Response:
        assert request.args["category"] == "all-crime" and request.args["force"] == "cumbria"
        found = self._month(request.args["date"])
        if isinstance(found, Response):
            return found
        return self._json([r for r, lon in zip(found.records, found.lon, strict=True) if np.isnan(lon)])

    def _boundary(self, request: Request) -> Response:
        neighbourhood = request.path.split("/")[2]
        ring = self.boundaries.get(neighbourhood, [])
        return self._json([{"latitude": str(lat), "longitude": str(lon)} for lon, lat in ring])
