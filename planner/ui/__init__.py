"""Streamlit glue: cached loading and session state, shared by the app's pages."""
