"""The data contract: file names, required columns and police.uk vocabularies.

Everything that names a column or a category lives here, so loaders, the sample
generator and the pages agree on one spelling.
"""

from __future__ import annotations

__all__ = [
    "ASB",
    "CRIME_TYPES",
    "OUTCOMES",
    "POLICE_UK_COLUMNS",
    "REQUIRED_COLUMNS",
    "ROLES",
    "FUNDING",
    "WORKER_TYPES",
    "PLEDGE_KINDS",
    "AGENCIES",
    "UNASSIGNED",
]

#: The police.uk street-level header, in the order police.uk writes it.
POLICE_UK_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

#: Antisocial behaviour: incidents, not crimes. Never added into a crime total.
ASB = "Anti-social behaviour"

#: The 14 police.uk crime types in use since May 2013.
CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

#: Last outcome categories as police.uk writes them.
OUTCOMES: tuple[str, ...] = (
    "Investigation complete; no suspect identified",
    "Under investigation",
    "Unable to prosecute suspect",
    "Formal action is not in the public interest",
    "Further action is not in the public interest",
    "Further investigation is not in the public interest",
    "Local resolution",
    "Offender given a caution",
    "Offender given a drugs possession warning",
    "Offender given penalty notice",
    "Action to be taken by another organisation",
    "Suspect charged as part of another case",
    "Awaiting court outcome",
    "Court result unavailable",
    "Court case unable to proceed",
    "Defendant found not guilty",
    "Defendant sent to Crown Court",
    "Offender sent to prison",
    "Offender given suspended prison sentence",
    "Offender given community sentence",
    "Offender fined",
    "Offender ordered to pay compensation",
    "Offender given conditional discharge",
    "Offender given absolute discharge",
    "Offender deprived of property",
    "Offender otherwise dealt with",
    "Status update unavailable",
)

#: Outcomes that mean the case is still open (flagged in recent months).
OPEN_OUTCOMES: tuple[str, ...] = (
    "Under investigation",
    "Awaiting court outcome",
)

ROLES: tuple[str, ...] = ("PC", "PCSO", "Sergeant", "Inspector")
FUNDING: tuple[str, ...] = ("core", "precept")
WORKER_TYPES: tuple[str, ...] = ("officers", "pcsos")
PLEDGE_KINDS: tuple[str, ...] = ("level", "increase")
AGENCIES: tuple[str, ...] = (
    "Police",
    "Council",
    "Housing",
    "Fire",
    "NHS",
    "Adult Social Care",
    "Children's Services",
    "NWAS",
    "Voluntary",
)

#: The hub for incidents that no rule could place: counted and shown, never dropped.
UNASSIGNED = "Unassigned"

#: Required columns of each CSV of the data folder (extra columns are kept).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "hubs.csv": ("hub", "region", "station", "area_code", "launched"),
    "population.csv": ("area_code", "year", "population"),
    "resourcing.csv": ("week", "hub", "role", "funding", "fte", "visible_patrol_hours"),
    "operations.csv": ("name", "hub", "start", "end", "focus"),
    "cases.csv": ("case_id", "hub", "opened", "closed", "issue", "agencies", "status"),
    "workforce.csv": ("as_at_date", "worker_type", "fte", "source"),
    "pledges.csv": ("pledge", "worker_type", "target", "kind", "from_date", "source"),
}

#: A data folder that was generated (not real) holds this file, with {"generated": true, ...}.
ABOUT_FILE = "about.json"
