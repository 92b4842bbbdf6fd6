// libcrypt (libxcrypt): crypt_r and crypt_gensalt_rn are not exposed by Glibc's module.
#include <crypt.h>
