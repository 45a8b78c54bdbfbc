import sys

from .app import main

raise SystemExit(main(sys.argv[1:]))
