#include "TestZonesStartup.h"

// Defined in Swift by the TestZones target (`@_cdecl`).
extern void rl_test_zones_install(void);

// Runs when the test process starts, before any test: Swift has no module initialisers, and
// Swift Testing no hook that runs before every suite.
__attribute__((constructor)) static void rl_test_zones_start(void) { rl_test_zones_install(); }
