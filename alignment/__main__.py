import sys

from alignment.edges.cli import main

sys.exit(main())
