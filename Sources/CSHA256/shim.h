// SHA-256 from the system's libcrypto (Debian: libssl-dev), for the document chain (protocol.md,
// Document chain): the core hashes each document as it is issued, through EVP with the digest
// fetched once.
#include <openssl/evp.h>
