"""The ASGI app ``ui.server`` serves: SamePage's Streamlit script plus the routes of
``ui.routes``. ``streamlit run ui/launcher.py`` finds ``app`` below (Streamlit's st.App)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.routes import ROUTES

app = st.App(Path(__file__).resolve().parent.parent / "app.py", routes=ROUTES)
