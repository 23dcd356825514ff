"""Which force a record belongs to: from its police.uk file name, else from its ``Falls within``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["force_of_file", "force_slug", "incident_forces"]


#: police.uk's own name for a street-level file: ``YYYY-MM-<force>-street.csv``.
_STREET_FILE = re.compile(r"^\d{4}-\d{2}-(?P<force>[a-z0-9-]+?)-street\.csv$", re.IGNORECASE)
_FORCE_SUFFIX = re.compile(r"-(constabulary|police(-service)?)$")


def force_of_file(name: str) -> str | None:
    """The force a police.uk file name carries (``2024-01-cumbria-street.csv`` -> ``cumbria``), else None."""
    match = _STREET_FILE.match(name.rsplit("/", 1)[-1])
    return match["force"].lower() if match else None


def force_slug(name: str) -> str:
    """A force's name as police.uk's file names write it: 'City of London Police' -> 'city-of-london'."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    return _FORCE_SUFFIX.sub("", slug) or "unknown"


def incident_forces(incidents: pd.DataFrame) -> pd.Series:
    """The force of each record: from its file's police.uk name, else from ``Falls within``.

    Worked out once per distinct (file, Falls within); a categorical aligned with ``incidents``,
    categories sorted.
    """
    if incidents.empty:
        return pd.Series(pd.Categorical([], categories=pd.Index([], dtype="str")), index=incidents.index)
    files, falls = incidents["source_file"].astype("category"), incidents["falls_within"].astype("category")
    key = files.cat.codes.to_numpy().astype(np.int64) * (len(falls.cat.categories) + 1) + falls.cat.codes.to_numpy()
    pairs, inverse = np.unique(key, return_inverse=True)
    names = []
    for pair in pairs:
        file = str(files.cat.categories[pair // (len(falls.cat.categories) + 1)])
        at = pair % (len(falls.cat.categories) + 1)
        within = str(falls.cat.categories[at]) if at < len(falls.cat.categories) else ""
        names.append(force_of_file(file) or force_slug(within))
    categories = pd.Index(sorted(set(names)), dtype="str")
    codes = categories.get_indexer(names)[inverse.ravel()]
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=incidents.index)
