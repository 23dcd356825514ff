"""The floor app with the dashboard's libraries imported first: how much memory and start time the imports take.

The same seven pages and one chart each as bench/floor_app.py; above it, the libraries the
dashboard imports (streamlit, pandas, geopandas, plotly, duckdb, scipy.special), so that
the difference between this app and the bare floor is what importing them costs.
"""

import duckdb  # noqa: F401
import geopandas  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import scipy.special  # noqa: F401

from bench.floor_app import run

run()
