"""ReturnLedger client: the returns desk's text protocol from Python (standard library only)."""

from .client import Client, Reply, ReturnLedgerError, ConnectionLost, quote, item

__all__ = ["Client", "Reply", "ReturnLedgerError", "ConnectionLost", "quote", "item"]
__version__ = "1.0"
