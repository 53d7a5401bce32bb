"""What the VM test prints: steps, what each scenario saw, and a tally."""
import sys

_tally = {"passed": 0, "failed": 0}


def step(text):
    print(f"== {text}", flush=True)


def saw(text):
    """A fact the scenario observed (printed whatever the outcome)."""
    for line in str(text).splitlines() or [""]:
        print(f"   saw: {line}", flush=True)


def passed(name):
    _tally["passed"] += 1
    print(f"PASS {name}", flush=True)


def failed(name, why):
    _tally["failed"] += 1
    print(f"FAIL {name}: {why}", flush=True)


def summary():
    """The closing line, in the form CI reads ('N passed, N failed')."""
    print(f"vm-test: {_tally['passed']} passed, {_tally['failed']} failed", flush=True)
    return _tally["failed"] == 0


def error(text):
    print(f"vm-test: {text}", file=sys.stderr, flush=True)
