import sys

from citetools.cli import main

sys.exit(main())
