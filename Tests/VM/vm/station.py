"""Scenarios share this: run a script in the guest with the harness's helpers, and check."""
from . import log
from .machine import GuestError

PRELUDE = "set -euo pipefail\nsource /usr/local/sbin/vm-lib.sh\n"


class ScenarioFailure(Exception):
    pass


def sh(machine, body, check=True, timeout=900):
    """Runs body in the guest (strict bash, helpers loaded); returns its output."""
    status, out = machine.run(PRELUDE + body, check=False, timeout=timeout)
    if check and status != 0:
        # Its last output first (the failing helper says what it waited for), then the script.
        tail = "\n".join(out.splitlines()[-8:])
        raise ScenarioFailure(f"the guest script exited {status}; its last output:\n{tail}\n"
                              f"--- the script ---\n{body.strip()}\n--- its whole output ---\n{out}")
    return out if check else (status, out)


def expect(condition, expected, seen):
    """Fails the scenario with what it expected and what it saw."""
    if not condition:
        raise ScenarioFailure(f"expected {expected}; saw {seen}")
    log.saw(f"{expected}: {seen}" if seen != "" else expected)


def scenario(machine, name, fn):
    """Runs one scenario; a failure prints why, the guest's journal and the console."""
    log.step(name)
    try:
        fn(machine)
    except (ScenarioFailure, GuestError, ValueError, IndexError, KeyError, TypeError) as failure:
        # A scenario that cannot read what the guest printed fails too, with what it got.
        log.failed(name, f"{type(failure).__name__}: {failure}" if not isinstance(failure, ScenarioFailure) else str(failure))
        try:
            _, journal = machine.run("journalctl -b --no-pager -n 120 -o short-monotonic", check=False, timeout=120)
            print("--- the guest's journal (last 120 entries of this boot) ---\n" + journal, flush=True)
        except (GuestError, OSError) as unreachable:
            print(f"--- the guest's journal: unreachable ({unreachable}); its console: ---\n"
                  + machine.console_tail(), flush=True)
        return False
    log.passed(name)
    return True
