"""Words for numbers and charts: changes, intervals, chart summaries and table views."""
