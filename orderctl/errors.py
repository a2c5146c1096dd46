"""The one error type orderctl reports: a message for a person, never a traceback."""


class OrderctlError(Exception):
    """Something the user can act on; `orderctl` prints it and exits 1."""
