"""The floor app with what the dashboard's first chart cannot start without: pandas (numpy, pyarrow) and DuckDB.

The same seven pages and one chart each as bench/floor_app.py; above it, in the first script run as
the dashboard's own imports are, the libraries the Overview's first run needs while the app is built
on pandas and reads its store with DuckDB (and pyarrow's Parquet reader). The dashboard's start less
this app's is the work of its own: its modules, loading the data folder and drawing the Overview.
"""

import duckdb  # noqa: F401
import pandas  # noqa: F401
import pyarrow.parquet  # noqa: F401

from bench.floor_app import run

run()
