"""What the VM test prints: steps, what each scenario saw, and a tally."""
import sys
import time

# Each step says how long the run has taken: the VM tests are most of CI's time, and where it
# goes (the image, a boot under TCG, a scenario) is what to look at when it grows.
_started = time.monotonic()

_tally = {"passed": 0, "failed": 0}
# Each failure's first lines, repeated under the tally: a CI log shown in part keeps its end.
_failures = []
FAILURE_LINES = 30


def step(text):
    print(f"== [{time.monotonic() - _started:6.0f} s] {text}", flush=True)


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
    _failures.append((name, "\n".join(str(why).splitlines()[:FAILURE_LINES])))


def summary():
    """The failures again, then the closing line, in the form CI reads ('N passed, N failed')."""
    for name, why in _failures:
        print(f"FAILED {name}: {why}", flush=True)
    print(f"vm-test: {_tally['passed']} passed, {_tally['failed']} failed", flush=True)
    return _tally["failed"] == 0


def error(text):
    print(f"vm-test: {text}", file=sys.stderr, flush=True)
