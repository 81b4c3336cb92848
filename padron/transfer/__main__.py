import logging
import os
import sys

from padron.transfer.commands import main

logging.basicConfig(level=os.environ.get("PADRON_LOG_LEVEL", "INFO").upper(), format="%(message)s")
sys.exit(main())
