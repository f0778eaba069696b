import sys

from bot.wiring.main import main

sys.exit(main())
