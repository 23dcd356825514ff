"""Local Focus analysis: data loading, validation, metrics, evaluation and figures. No streamlit here."""
