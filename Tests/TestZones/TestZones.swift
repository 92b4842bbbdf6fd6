import ReturnLedgerStorage

/// The tests' zone rules: the system's tzdata through Storage's loader, as the server reads it.
/// Installed before any test runs, by the constructor in `TestZonesStartup` (a test cannot say
/// "first of all" otherwise), so the core's tests find `Asia/Shanghai` without installing
/// anything themselves. Every test target that needs IANA zones depends on this one.
@_cdecl("rl_test_zones_install")
public func installTestZones() {
    TimeZoneFiles.install()
}
