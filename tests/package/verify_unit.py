#!/usr/bin/python3
"""Checks packaging/upkeep.service: systemd's own verification, then what upkeep needs of it.

`systemd-analyze verify` runs on a copy whose ExecStart points at the built binary (it checks
that the command exists and is executable, and the packaged /usr/bin/upkeep is not installed
here). The copy keeps User=upkeep: verify does not resolve users (systemd 252 reports no
missing user; that is only found when the unit starts), so there is nothing to rewrite for it.
verify reports unknown keys and bad values as warnings with exit status 0, so any output at
all fails the check. The unit is verified alone and again with the update drop-in
(packaging/update.conf.example) in its upkeep.service.d/, where verify reads it. Then the
settings this daemon depends on are checked by value, and a copy with a misspelt key shows that
the verification catches one.

Usage: verify_unit.py --unit packaging/upkeep.service --drop-in packaging/update.conf.example
                      --binary build/upkeep --update-options controller/update_options.h
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGED_BINARY = "/usr/bin/upkeep"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def service_settings(text):
    """Key -> list of values of the [Service] section (a key may repeat)."""
    settings = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def copy_for_verify(unit_text, binary):
    """The unit with ExecStart running `binary`; fails unless it ran /usr/bin/upkeep."""
    pattern = re.compile(r"^ExecStart=" + re.escape(PACKAGED_BINARY) + r"(\s.*)?$", re.M)
    if len(pattern.findall(unit_text)) != 1:
        fail(f"the unit needs exactly one ExecStart={PACKAGED_BINARY} ... line")
    return pattern.sub(lambda m: "ExecStart=" + binary + (m.group(1) or ""), unit_text)


def verify(analyze, unit_path):
    """systemd-analyze's complaints about the unit ('' when none)."""
    run = subprocess.run([analyze, "verify", "--man=no", str(unit_path)],
                         capture_output=True, text=True, timeout=60, check=False)
    complaints = (run.stdout + run.stderr).strip()
    if run.returncode != 0 and not complaints:
        complaints = f"exit status {run.returncode}"
    return complaints


def seconds(text):
    """systemd and upkeep durations: 90s, 1min 30s, 2m, 500ms, 90 (seconds)."""
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    total = 0.0
    parts = re.findall(r"(\d+)\s*([a-z]*)", text)
    if not parts:
        fail(f"cannot read the duration {text!r}")
    for number, unit in parts:
        if unit not in units and unit != "":
            fail(f"cannot read the duration {text!r}")
        total += int(number) * units.get(unit or "s")
    return total


def default_shutdown_timeout(update_options_h):
    """update.shutdown_timeout's default, in seconds, from controller/update_options.h."""
    match = re.search(r"shutdown_timeout\{([\d']+)\}", Path(update_options_h).read_text())
    if not match:
        fail(f"{update_options_h}: no shutdown_timeout{{...}} default found")
    return int(match.group(1).replace("'", "")) / 1000


def check_settings(settings, shutdown_timeout):
    def one(key):
        values = settings.get(key, [])
        if len(values) != 1:
            fail(f"[Service] needs exactly one {key}= (has {values})")
        return values[0]

    expected = {
        "Type": "simple",  # upkeep does not call sd_notify
        "User": "upkeep",
        "Restart": "on-failure",
        "KillMode": "mixed",  # SIGTERM to upkeep alone: it stops its own step groups
        "NoNewPrivileges": "yes",
        "CapabilityBoundingSet": "",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "MemoryDenyWriteExecute": "yes",
        "SystemCallFilter": "@system-service",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    }
    for key, value in expected.items():
        if one(key) != value:
            fail(f"{key}={one(key)}, expected {key}={value}")
    if one("ExecStart").split()[1:] != ["--config", "/etc/upkeep/upkeep.yaml"]:
        fail(f"ExecStart must pass --config /etc/upkeep/upkeep.yaml: {one('ExecStart')}")
    if "/var/lib/upkeep" not in one("ReadWritePaths").split():
        fail("ReadWritePaths must hold /var/lib/upkeep (the state directory)")
    # The collectors statvfs() /home's file system and read /proc/1/mountinfo: an empty tmpfs
    # over /home or a hidden /proc/1 would be reported instead of the host's.
    if one("ProtectHome") not in ("read-only", "no"):
        fail(f"ProtectHome={one('ProtectHome')} hides /home from the filesystem collector")
    for key in ("ProtectProc", "ProcSubset", "DynamicUser"):
        if key in settings:
            fail(f"{key}= breaks upkeep (see the comments in the unit)")
    stop = seconds(one("TimeoutStopSec"))
    if stop <= shutdown_timeout:
        fail(f"TimeoutStopSec={one('TimeoutStopSec')} must exceed update.shutdown_timeout's "
             f"default ({shutdown_timeout:g}s): systemd would SIGKILL a rollback under way")


def check_drop_in(settings):
    """What an update needs of the drop-in: its own user and group, room to write, Node.js."""
    for key in ("User", "Group", "ReadWritePaths"):
        if not settings.get(key):
            fail(f"the update drop-in sets no {key}=")
    if settings.get("MemoryDenyWriteExecute") != ["no"]:
        fail("the update drop-in must set MemoryDenyWriteExecute=no (Node.js's JIT)")
    for key in ("AmbientCapabilities", "CapabilityBoundingSet", "NoNewPrivileges"):
        if key in settings:
            fail(f"the update drop-in must not change {key}= (no setuid for upkeep)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", required=True)
    parser.add_argument("--drop-in", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--update-options", required=True)
    parser.add_argument("--systemd-analyze", default="systemd-analyze")
    args = parser.parse_args()

    analyze = shutil.which(args.systemd_analyze)
    if analyze is None:
        fail("systemd-analyze not found (Debian's systemd package; scripts/install-deps.sh test)")
    unit_text = Path(args.unit).read_text()
    check_settings(service_settings(unit_text), default_shutdown_timeout(args.update_options))

    with tempfile.TemporaryDirectory(prefix="upkeep-unit-") as temp:
        copy = Path(temp) / "upkeep.service"  # verify takes the unit's name from the file
        copy.write_text(copy_for_verify(unit_text, str(Path(args.binary).resolve())))
        complaints = verify(analyze, copy)
        if complaints:
            fail(f"systemd-analyze verify on {args.unit} (ExecStart -> {args.binary}):\n"
                 f"{complaints}")

        with_drop_in = Path(temp) / "with-drop-in" / "upkeep.service"
        (with_drop_in.parent / "upkeep.service.d").mkdir(parents=True)
        with_drop_in.write_text(copy.read_text())
        drop_in_text = Path(args.drop_in).read_text()
        (with_drop_in.parent / "upkeep.service.d" / "update.conf").write_text(drop_in_text)
        complaints = verify(analyze, with_drop_in)
        if complaints:
            fail(f"systemd-analyze verify with the drop-in {args.drop_in}:\n{complaints}")
        check_drop_in(service_settings(drop_in_text))

        # The check itself: a misspelt key is only a warning to systemd, and must fail here.
        broken = Path(temp) / "broken" / "upkeep.service"
        broken.parent.mkdir()
        broken.write_text(re.sub(r"^ProtectSystem=", "ProtectSystm=", copy.read_text(),
                                 count=1, flags=re.M))
        if not verify(analyze, broken):
            fail("a unit with a misspelt key (ProtectSystm=) passed the verification")
    print(f"ok: {args.unit} verifies alone and with {args.drop_in} (systemd-analyze, "
          f"ExecStart -> {args.binary}) and sets what upkeep needs")


if __name__ == "__main__":
    main()
