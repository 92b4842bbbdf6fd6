"""ReturnLedger's web desk: a browser front for the returns desk's line protocol.

Each signed-in browser session owns one ReturnLedger connection, logged in as that person
(AUTH); every decision (role, store scope, four eyes, limits) stays the server's.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PYTHON_CLIENT = os.path.join(REPO, "clients", "python")
if PYTHON_CLIENT not in sys.path:
    sys.path.insert(0, PYTHON_CLIENT)
