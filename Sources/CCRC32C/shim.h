// CRC-32C with the processor's own instruction (SSE 4.2 `crc32`, on x86-64 since 2008): eight
// bytes a cycle or so, against about one for the slicing-by-8 tables. Every log record, snapshot
// and (later) archive block is checksummed with it. Elsewhere, and on a processor without the
// instruction, `rl_crc32c_hardware` is 0 and the Swift tables do the work.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
/// 1 when this processor has SSE 4.2's `crc32`.
static inline int rl_crc32c_hardware(void) {
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

/// The running CRC-32C (the register, already inverted by the caller) over `n` bytes.
__attribute__((target("sse4.2")))
static inline uint32_t rl_crc32c_update(uint32_t crc, const void *bytes, size_t n) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p += 1;
        n -= 1;
    }
    return c32;
}
#else
static inline int rl_crc32c_hardware(void) { return 0; }
static inline uint32_t rl_crc32c_update(uint32_t crc, const void *bytes, size_t n) { (void)bytes; (void)n; return crc; }
#endif
