// SHA-256 from the system's libcrypto (Debian: libssl-dev), for the document chain (protocol.md,
// Document chain): the core hashes each document as it is issued. Only the one-shot digest.
#include <openssl/sha.h>
