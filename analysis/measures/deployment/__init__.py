"""Visible patrol hours against ASB: the series, their lagged correlation, operations, the patrol estimate."""
