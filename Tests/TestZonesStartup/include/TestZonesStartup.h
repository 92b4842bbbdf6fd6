// Nothing to call: linking this target installs the tests' zone loader at process start.
