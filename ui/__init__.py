"""Streamlit glue shared by the pages: cached loading, sidebar filters, badges, downloads."""
