"""Start the Streamlit server with SamePage's routing in force from the very first request.

A ``pages/`` folder beside app.py makes Streamlit route the process's first
request the old way (straight to ``pages/<name>.py``, skipping app.py, its role
picker and its error handling) until some session has called st.navigation.
Clearing that flag before the server starts closes the gap.

``app.py`` is served through ``ui/launcher.py``, which adds the route that turns a
password log-in into a cookie, so a reload keeps the person logged in.

    python -m ui.server run app.py [streamlit options]
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

LAUNCHER = Path(__file__).resolve().with_name("launcher.py")


def _served(argv: list[str]) -> list[str]:
    """``run app.py ...`` becomes ``run ui/launcher.py ...``; anything else is left alone."""
    if len(argv) > 2 and argv[1] == "run" and Path(argv[2]).name == "app.py":
        return [argv[0], "run", str(LAUNCHER), *argv[3:]]
    return argv


if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = _served(["streamlit", *sys.argv[1:]])
    sys.exit(main())
