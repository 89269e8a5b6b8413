"""``python -m hustings`` is the ``hustings`` command."""

from hustings.cli.main import main

main()
