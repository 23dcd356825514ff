"""The one exception type whose message is written for the person using Local Focus.

A :class:`DataProblem` is something about the user's data or request that they can fix (a
file that cannot be used, data too short for an estimate, a month that was never supplied).
Its message is a whole sentence and is shown as it is, on a page or on the command line.
Any other exception is a fault of the tool: pages say so in a sentence and log the details,
the command line exits 2.
"""

from __future__ import annotations

__all__ = ["FAULT_SENTENCE", "DataProblem"]

#: What a page or the command line says when something other than a DataProblem goes wrong.
FAULT_SENTENCE = "This is a fault in Local Focus, not in your data; the details are in the server log."


class DataProblem(ValueError):
    """Something about the user's data that they can fix; the message is written for them."""
