"""The ``hustings`` command line: thin Typer shells over library functions."""
