"""Start the Streamlit server with SamePage's routing in force from the very first request.

A ``pages/`` folder beside app.py makes Streamlit route the process's first
request the old way (straight to ``pages/<name>.py``, skipping app.py, its role
picker and its error handling) until some session has called st.navigation.
Clearing that flag before the server starts closes the gap.

    python -m ui.server run app.py [streamlit options]
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv[0] = "streamlit"
    sys.exit(main())
