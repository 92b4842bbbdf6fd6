"""tools/returnledger.service: what an operator installs, checked by systemd's own verifier."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server import ROOT  # noqa: E402

UNIT = os.path.join(ROOT, "tools", "returnledger.service")


class ServiceUnitTest(unittest.TestCase):
    def test_the_unit_has_what_an_operator_expects(self):
        with open(UNIT, encoding="utf-8") as f:
            text = f.read()
        for line in ["User=returnledger", "StateDirectory=returnledger", "Restart=on-failure",
                     "EnvironmentFile=-/etc/returnledger/returnledger.env", "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ExecStart=/usr/local/bin/returnledger --data /var/lib/returnledger", "RestartPreventExitStatus=2"]:
            self.assertIn("\n" + line + "\n", text)
        # Every flag the environment file names is one the server knows.
        with open(os.path.join(ROOT, "tools", "returnledger.env"), encoding="utf-8") as f:
            names = re.findall(r"^#?(RETURNLEDGER_[A-Z_]+)=", f.read(), re.M)
        help_text = subprocess.run([os.environ.get("RETURNLEDGER_BIN") or os.path.join(ROOT, ".build", "debug", "returnledger"),
                                    "--help"], capture_output=True, text=True, timeout=30).stdout
        for name in names:
            flag = "--" + name[len("RETURNLEDGER_"):].lower().replace("_", "-")
            self.assertTrue(flag in help_text or name == "RETURNLEDGER_ADMIN_PASSWORD", "%s: %s not in --help" % (name, flag))

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_systemd_analyze_verify_finds_nothing_to_say(self):
        binary = os.environ.get("RETURNLEDGER_BIN") or os.path.join(ROOT, ".build", "debug", "returnledger")
        scratch = tempfile.mkdtemp(prefix="rl-unit-")
        try:
            with open(UNIT, encoding="utf-8") as f:
                unit = f.read().replace("/usr/local/bin/returnledger", binary)  # the built binary, not an installed one
            path = os.path.join(scratch, "returnledger.service")
            with open(path, "w", encoding="utf-8") as f:
                f.write(unit)
            out = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            complaints = [l for l in (out.stdout + out.stderr).splitlines() if "returnledger.service" in l]
            self.assertEqual(complaints, [])
        finally:
            shutil.rmtree(scratch)


class StandbyUnitTest(unittest.TestCase):
    """tools/returnledger-standby.service and its environment file (README, "Running a standby")."""
    UNIT = os.path.join(ROOT, "tools", "returnledger-standby.service")

    def test_the_standby_unit_is_the_service_with_its_standby_settings(self):
        with open(self.UNIT, encoding="utf-8") as f:
            text = f.read()
        for line in ["User=returnledger", "StateDirectory=returnledger", "Restart=on-failure", "RestartPreventExitStatus=2",
                     "EnvironmentFile=/etc/returnledger/standby.env", "Conflicts=returnledger.service",
                     "ExecStart=/usr/local/bin/returnledger --data /var/lib/returnledger --standby-of ${RETURNLEDGER_STANDBY_OF}"
                     " --standby-user ${RETURNLEDGER_STANDBY_USER}"]:
            self.assertIn("\n" + line + "\n", text)
        with open(UNIT, encoding="utf-8") as f:
            hardening = [l for l in f.read().split("[Service]")[1].splitlines()
                         if l.startswith(("Protect", "Private", "Restrict", "NoNewPrivileges", "SystemCall", "Capability",
                                          "AmbientCapabilities", "LockPersonality", "MemoryDeny", "UMask"))]
        self.assertTrue(hardening)
        for line in hardening:  # the same lock-down as the primary's unit
            self.assertIn("\n" + line + "\n", text)
        with open(os.path.join(ROOT, "tools", "returnledger-standby.env"), encoding="utf-8") as f:
            env = f.read()
        names = re.findall(r"^#?(RETURNLEDGER_[A-Z_]+)=", env, re.M)
        for name in ["RETURNLEDGER_STANDBY_OF", "RETURNLEDGER_STANDBY_USER", "RETURNLEDGER_STANDBY_PASSWORD"]:
            self.assertRegex(env, r"(?m)^%s=" % name)
        help_text = subprocess.run([os.environ.get("RETURNLEDGER_BIN") or os.path.join(ROOT, ".build", "debug", "returnledger"),
                                    "--help"], capture_output=True, text=True, timeout=30).stdout
        for name in names:
            if name == "RETURNLEDGER_STANDBY_PASSWORD":
                self.assertIn(name, help_text)
                continue
            flag = "--" + name[len("RETURNLEDGER_"):].lower().replace("_", "-")
            self.assertIn(flag, help_text, "%s: %s not in --help" % (name, flag))

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_systemd_analyze_verify_finds_nothing_to_say(self):
        binary = os.environ.get("RETURNLEDGER_BIN") or os.path.join(ROOT, ".build", "debug", "returnledger")
        scratch = tempfile.mkdtemp(prefix="rl-unit-")
        try:
            with open(self.UNIT, encoding="utf-8") as f:
                unit = f.read().replace("/usr/local/bin/returnledger", binary)
            path = os.path.join(scratch, "returnledger-standby.service")
            with open(path, "w", encoding="utf-8") as f:
                f.write(unit)
            out = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            complaints = [l for l in (out.stdout + out.stderr).splitlines() if "returnledger-standby.service" in l]
            self.assertEqual(complaints, [])
        finally:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    unittest.main()
