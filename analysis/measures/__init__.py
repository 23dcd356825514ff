"""What each page asks, computed without Streamlit: plain results the pages render."""
