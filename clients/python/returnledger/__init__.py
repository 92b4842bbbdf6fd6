"""ReturnLedger client: the returns desk's text protocol from Python (standard library only)."""

from .client import Client, Reply, ReturnLedgerError, ConnectionLost, quote, item, tokenize, add_connection_arguments, \
    connection_options, tls_options
from .server import ServerProcess

__all__ = ["Client", "Reply", "ReturnLedgerError", "ConnectionLost", "quote", "item", "tokenize", "add_connection_arguments", "connection_options",
           "tls_options", "ServerProcess"]
__version__ = "1.0"
