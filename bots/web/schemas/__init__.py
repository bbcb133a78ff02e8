"""What the HTTP API answers: error shapes and the results of its actions.

The complaint and merchant views themselves are in :mod:`bots.staff.schemas` and
:mod:`bots.merchants.schemas` (the console renders them too).
"""
