"""The ``weiquan`` command line and the entry points it starts."""
