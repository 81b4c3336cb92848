import sys

from padron.cli import main

sys.exit(main())
