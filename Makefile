# Nazorat: two commands for people (`make run`, `make test`), one for the curious (`make demo`).

SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need; `make deps` installs the missing ones.
DEBIAN_PACKAGES = pkg-config libudev-dev libsystemd-dev libsqlite3-dev umockdev libumockdev-dev usbguard systemd
FAULT_SHIM   := .build/libnazorat-fault.so
# The fault shim goes before umockdev's preload library so that it sees calls first.
TEST_PRELOAD  = $(abspath $(FAULT_SHIM)) libumockdev-preload.so.0
DEMO_PLUGS    = usb-stick scanner-lookalike hostile-strings usb-ethernet

.PHONY: run demo test deps build fixtures usbguard-fixtures clean

## Build and run the daemon in the foreground on this machine's devices (monitor mode, dev/state).
run: build
	.build/debug/nazoratd --config dev/nazorat.toml

SIM = .build/debug/nazorat-station-sim --station Tests/Fixtures/polling-station.umockdev

## Commission a simulated polling station (policy, seal), run the daemon on it in enforce
## mode and plug hostile devices in and out while you watch.
demo: build
	rm -rf dev/demo-state && mkdir -p dev/demo-state
	$(SIM) -- .build/debug/nazoratd generate-policy > dev/demo-state/rules.conf
	cat systemd/rules.conf >> dev/demo-state/rules.conf
	$(SIM) -- .build/debug/nazoratd seal --config dev/demo.toml
	$(SIM) $(foreach f,$(DEMO_PLUGS),--plug Tests/Fixtures/$(f).umockdev) \
	  -- .build/debug/nazoratd --config dev/demo.toml

## Install missing Debian packages, build, run every test (the umockdev ones under its preload).
test: deps $(FAULT_SHIM)
	$(SWIFT) build --build-tests
	LD_PRELOAD="$(TEST_PRELOAD)" $(SWIFT) test --skip-build --no-parallel

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

$(FAULT_SHIM): Tests/Support/fault-shim.c
	mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -Wall -o $@ $< -ldl

## Regenerate the umockdev fixtures, then USBGuard's view of them.
fixtures:
	python3 Tests/Fixtures/generate.py
	$(MAKE) usbguard-fixtures

usbguard-fixtures: build
	Tests/Fixtures/usbguard/record.sh

clean:
	rm -rf .build dev/state dev/demo-state
