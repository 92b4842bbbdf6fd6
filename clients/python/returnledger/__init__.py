"""ReturnLedger client: the returns desk's text protocol from Python (standard library only)."""

from .client import Client, Reply, ReturnLedgerError, ConnectionLost, quote, item, add_connection_arguments

__all__ = ["Client", "Reply", "ReturnLedgerError", "ConnectionLost", "quote", "item", "add_connection_arguments"]
__version__ = "1.0"
