"""ReturnLedger client: the returns desk's text protocol from Python (standard library only)."""

from .client import Client, Reply, ReturnLedgerError, ConnectionLost, quote, item, regrade_item, serials_of, tokenize, \
    add_connection_arguments, connection_options, tls_options, Tender, format_tenders, parse_tenders
from .server import ServerProcess

__all__ = ["Client", "Reply", "ReturnLedgerError", "ConnectionLost", "quote", "item", "regrade_item", "serials_of", "tokenize", "add_connection_arguments", "connection_options",
           "tls_options", "ServerProcess", "Tender", "format_tenders", "parse_tenders"]
__version__ = "1.0"
