/// The wire client the end-to-end tests talk to the server with, shared with ServerTests; seen
/// by every file of this target.
@_exported import TestClient
