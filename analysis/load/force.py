"""One force of a folder of several, as the command line's ``--force`` chooses it: ``one_force(dataset, "cumbria")``."""

from __future__ import annotations

import argparse
import dataclasses

from analysis.errors import DataProblem
from analysis.load.dataset import Dataset
from analysis.load.force_names import force_of_file, force_slug

__all__ = ["add_force_argument", "one_force"]


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--force FORCE`` option of the commands that answer for one force of a folder of several."""
    parser.add_argument(
        "--force",
        metavar="FORCE",
        default=None,
        help="answer for one force of a folder of several, named as police.uk's file names name it (cumbria)",
    )


def one_force(dataset: Dataset, force: str | None) -> Dataset:
    """The folder as one force sees it: :meth:`Dataset.for_force`, with only that force's incident files reported.

    Parameters
    ----------
    dataset : Dataset
        The whole folder.
    force : str or None
        A force of ``dataset.forces`` (``cumbria``), or its name as the files give it
        (``City of London Police``); None gives the whole folder.

    Returns
    -------
    Dataset
        Its records, hubs and coverage; the incident files' reports are those of files named for
        the force (a file whose name names no force stays).

    Raises
    ------
    DataProblem
        When the folder holds no such force; the sentence lists the forces it holds.
    """
    if force is None:
        return dataset
    slug = force if force in dataset.forces else force_slug(force)
    if slug not in dataset.forces:
        held = ", ".join(dataset.forces) if dataset.forces else "none (no incident records)"
        folder = dataset.folder_label or dataset.folder.name
        raise DataProblem(f"There is no force '{force}' in {folder}: the forces it holds are {held}.")
    view = dataset.for_force(slug)
    reports = [r for r in view.reports if r.kind != "incidents" or force_of_file(r.file) in (slug, None)]
    return dataclasses.replace(view, reports=reports)
