# Nazorat: two commands for people (`make run`, `make test`), one for the curious (`make demo`).

SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need; `make deps` installs the missing ones.
DEBIAN_PACKAGES = pkg-config libudev-dev libsystemd-dev libsqlite3-dev umockdev libumockdev-dev usbguard systemd udev python3-yaml python3-jsonschema python3-venv openssl postgresql chromium chromium-driver curl
# What `make bench` needs beyond them, and how often it runs each scenario.
BENCH_PACKAGES = hyperfine usbguard umockdev time
BENCH_RUNS    ?= 3
# What `make deb` and `make vm-test` need beyond them.
DEB_PACKAGES  = dpkg-dev lintian binutils
VM_PACKAGES   = qemu-system-x86 qemu-utils debootstrap linux-image-amd64 e2fsprogs rsync socat curl openssl
# lintian tags the package accepts, each for a reason: the commands document themselves
# with --help (no manual pages yet). (embedded-library went with async-http-client, whose
# swift-nio-extras linked zlib into the uplink.)
LINTIAN_ACCEPTED = no-manual-page
FAULT_SHIM   := .build/libnazorat-fault.so
# promtool for the alerting rules' tests, taken out of Debian's prometheus package without
# installing it (no Prometheus server is started or enabled on the machine).
PROMTOOL     := .build/prometheus/usr/bin/promtool
# The fault shim goes before umockdev's preload library so that it sees calls first.
TEST_PRELOAD  = $(abspath $(FAULT_SHIM)) libumockdev-preload.so.0
DEMO_PLUGS    = usb-stick scanner-lookalike hostile-strings usb-ethernet

.PHONY: run demo test deps build fuzz fixtures usbguard-fixtures clean install uninstall release release-station release-products order-file bench bench-central deb vm-deps vm-test vm-shell

# Where `make install` puts things: Debian's locations (systemd.pc's for the systemd parts).
DESTDIR      ?=
PREFIX       ?= /usr
BINDIR       ?= $(PREFIX)/bin
DOCDIR       ?= $(PREFIX)/share/doc/nazorat
SYSCONFDIR   ?= /etc
UNITDIR      ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
SYSUSERSDIR  ?= $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null || echo /usr/lib/sysusers.d)
TMPFILESDIR  ?= $(shell pkg-config --variable=tmpfilesdir systemd 2>/dev/null || echo /usr/lib/tmpfiles.d)
CATALOGDIR   ?= $(shell pkg-config --variable=catalogdir systemd 2>/dev/null || echo /usr/lib/systemd/catalog)
UDEVRULESDIR ?= /lib/udev/rules.d
BASHCOMPDIR  ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR   ?= $(PREFIX)/share/zsh/vendor-completions
# MODE=enforce also installs the early-boot udev rule that leaves new devices unauthorized
# until nazoratd decides (udev-rules/71-nazorat-enforce.rules).
MODE         ?= monitor
# The built executables to install; `make install` builds them in release mode unless
# PRODUCTS names a directory that holds them already. A station runs only the first three:
# the station's package (make deb) ships STATION_EXECUTABLES, central is installed on its
# own machines with `make install` (no receiver, PostgreSQL client or dashboard on a station).
PRODUCTS     ?=
STATION_EXECUTABLES = nazoratd nazoratctl nazorat-uplink
EXECUTABLES   = $(STATION_EXECUTABLES) nazorat-central

## Build and run the daemon in the foreground on this machine's devices (monitor mode, dev/state).
run: build
	mkdir -p dev/state && chmod 0700 dev/state
	[ -e dev/state/rules.conf ] || cp systemd/rules.conf dev/state/rules.conf
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

## Install missing Debian packages, build, run every test (the umockdev ones under its preload),
## with a PostgreSQL server of the run's own (Tests/Support/postgres.sh: started before, on a
## Unix socket only, stopped and removed after).
test: deps $(FAULT_SHIM) $(PROMTOOL)
	$(SWIFT) build --build-tests
	Tests/Support/postgres.sh run env LD_PRELOAD="$(TEST_PRELOAD)" $(SWIFT) test --skip-build --no-parallel

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

$(PROMTOOL):
	rm -rf .build/prometheus && mkdir -p .build/prometheus
	cd .build/prometheus && { apt-get download prometheus 2>/dev/null || { $(SUDO) apt-get update -qq && apt-get download prometheus; }; } \
	  && dpkg-deb -x prometheus_*.deb . && rm prometheus_*.deb
	$@ --version | head -n 1

$(FAULT_SHIM): Tests/Support/fault-shim.c
	mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -Wall -o $@ $< -ldl

## Fuzz what parses hostile bytes (Fuzz/, libFuzzer with AddressSanitizer), FUZZ_SECONDS
## each; the corpus grows in .build/fuzz/NAME, the seeds are in Fuzz/Corpus/NAME (Fuzz/seeds.py
## makes the generated ones); a crash, a hang (10 s per input) or a leak leaves its input in
## .build/fuzz/ and fails the run. Swift's backtracer is off: libFuzzer reports the crash.
## -sanitize=fuzzer,address in one flag: SwiftPM passes its two -sanitize= flags in no fixed
## order and the last one wins, which left the Swift code with coverage but without ASan.
## Then schemathesis (Tests/Schema) sends what docs/openapi.yaml describes, valid and not, to
## nazoratd on the simulated station: every answer must be one the document allows.
FUZZ_SECONDS ?= 60
# Fuzzers run side by side, one a core (each is one process on one thread), each for
# FUZZ_SECONDS; each one's output is in .build/fuzz/NAME.log, printed whole if it failed.
FUZZ_JOBS    ?= $(shell nproc)
FUZZERS = rule-parser device-string descriptors control-request configuration central-batch
fuzz: build
	cd Fuzz && for f in $(FUZZERS); do \
	  swift build --product fuzz-$$f --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address || exit 1; done
	printf '%s\n' $(FUZZERS) | xargs -P $(FUZZ_JOBS) -I NAME sh -c 'mkdir -p .build/fuzz/NAME && \
	  SWIFT_BACKTRACE=enable=no Fuzz/.build/debug/fuzz-NAME -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=.build/fuzz/NAME- .build/fuzz/NAME Fuzz/Corpus/NAME > .build/fuzz/NAME.log 2>&1; \
	  status=$$?; echo "== fuzz-NAME (exit $$status)"; \
	  if [ $$status = 0 ]; then tail -n 25 .build/fuzz/NAME.log; else cat .build/fuzz/NAME.log; fi; exit $$status'
	python3 Tests/Schema/schemathesis_run.py

## Regenerate the umockdev fixtures, then USBGuard's view of them.
fixtures:
	python3 Tests/Fixtures/generate.py
	$(MAKE) usbguard-fixtures

usbguard-fixtures: build
	Tests/Fixtures/usbguard/record.sh

## Measure (release build, about 25 minutes): the micro benchmarks (Benchmarks/, package-
## benchmark), then coldplug, hot-plug, control API, idle and uplink drain, side by side with
## usbguard-daemon where the issue asks; BENCHMARKS.md gets the results (BENCHMARKS.md says more).
bench: release
	$(MAKE) deps DEBIAN_PACKAGES="$(BENCH_PACKAGES)"
	cd Benchmarks && $(SWIFT) build -c release
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark --format markdown --no-progress > ../.build/bench-micro.md
	rm -f .build/bench-system.json
	python3 Benchmarks/scripts/system_bench.py .build/release Benchmarks/.build/release .build/bench-system.json --runs $(BENCH_RUNS)
	python3 Benchmarks/scripts/report.py .build/bench-system.json .build/bench-micro.md BENCHMARKS.md

## nazorat-central under simulated stations' load (Benchmarks/scripts/central_bench.py): the
## national heartbeat rate, three times it, a ramp to the highest sustained rate, the catch-up
## after an outage, /metrics and /v1/stations with 11,000 stations, for SQLite, PostgreSQL, and
## two central processes on PostgreSQL (a server of the run's own, as for make test); written
## into BENCHMARKS.md.
bench-central: release
	cd Benchmarks && $(SWIFT) build -c release --product nazorat-central-load
	Tests/Support/postgres.sh run python3 Benchmarks/scripts/central_bench.py .build/release Benchmarks/.build/release BENCHMARKS.md

## Release build. The Swift runtime and Foundation are linked statically: a station has no
## Swift toolchain, and the binaries must start from /usr/bin with Debian's libraries only.
## Each executable by name: a plain `swift build` would also link the dependencies' dynamic
## library products (libGRDB-dynamic.so), which cannot take the static runtime.
## The link keeps resident memory down (BENCHMARKS.md, RSS): a section per function, laid out
## in the order nazoratd runs them at start (packaging/link/nazoratd.order, `make order-file`),
## so that the code a start touches is contiguous instead of spread over the text segment;
## relative relocations packed (DT_RELR: 20 KB instead of 2.5 MB that ld.so read and kept
## resident); no dynamic symbol table for executables nobody links against. Position-
## independent all the same: a daemon that parses hostile descriptors keeps ASLR.
RELEASE_LINK = -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xswiftc -use-ld=lld \
  -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
  -Xlinker --symbol-ordering-file=$(CURDIR)/packaging/link/nazoratd.order -Xlinker --no-warn-symbol-ordering
release: deps
	$(MAKE) release-products PRODUCTS_TO_BUILD="$(EXECUTABLES) nazorat-station-sim"

release-station: deps
	$(MAKE) release-products PRODUCTS_TO_BUILD="$(STATION_EXECUTABLES)"

release-products:
	for product in $(PRODUCTS_TO_BUILD); do \
	  $(SWIFT) build -c release --static-swift-stdlib $(RELEASE_LINK) --product $$product || exit 1; done

## Profile a start of the release nazoratd under callgrind and rewrite the link order from it
## (packaging/link/startup_order.py says what the run does); then `make release` again.
order-file: release
	$(MAKE) deps DEBIAN_PACKAGES="valgrind curl"
	python3 packaging/link/startup_order.py .build/release packaging/link/nazoratd.order

## The Debian package, .build/nazorat_VERSION_amd64.deb, from the release build; lintian checks it.
deb: release-station
	$(MAKE) deps DEBIAN_PACKAGES="$(DEB_PACKAGES)"
	packaging/deb/build.sh .build/release .build "$(STATION_EXECUTABLES)"
	lintian --fail-on error --suppress-tags $(LINTIAN_ACCEPTED) .build/nazorat_*_amd64.deb

## What the VM tests need on the host: QEMU, Debian's kernel, debootstrap.
vm-deps:
	$(MAKE) deps DEBIAN_PACKAGES="$(VM_PACKAGES)"

## Boot the package on a Debian 12 station image under systemd on a real kernel (QEMU) and
## run the scenarios of Tests/VM (Tests/VM/README.md: what each proves); about 15 minutes.
## Central runs on the host, the debug build make test has made (it is not in the package).
vm-test: deb vm-deps build
	python3 Tests/VM/vmtest.py --deb .build/nazorat_*_amd64.deb --central .build/debug/nazorat-central

## A root prompt on a fresh station image with the package installed (monitor mode).
vm-shell: deb vm-deps
	python3 Tests/VM/vmtest.py --shell --deb .build/nazorat_*_amd64.deb

## Install the binaries, units, udev rules, sysusers, tmpfiles, journal catalog and the
## default configuration (an existing /etc/nazorat file is never overwritten).
INSTALLED ?= $(EXECUTABLES)
install: $(if $(PRODUCTS),,release)
	@products=$(or $(PRODUCTS),.build/release); \
	for exe in $(INSTALLED); do \
	  if [ -x $$products/$$exe ]; then install -D -m 0755 $$products/$$exe $(DESTDIR)$(BINDIR)/$$exe; fi; \
	done; \
	if [ -x $$products/nazoratctl ]; then \
	  install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR); \
	  $$products/nazoratctl --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/nazoratctl; \
	  $$products/nazoratctl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_nazoratctl; \
	fi
	install -D -m 0644 systemd/nazoratd.service $(DESTDIR)$(UNITDIR)/nazoratd.service
	install -D -m 0644 systemd/nazoratd.socket $(DESTDIR)$(UNITDIR)/nazoratd.socket
	install -D -m 0644 systemd/nazorat-uplink.service $(DESTDIR)$(UNITDIR)/nazorat-uplink.service
	install -D -m 0644 systemd/nazorat.sysusers $(DESTDIR)$(SYSUSERSDIR)/nazorat.conf
	install -D -m 0644 systemd/nazorat.tmpfiles $(DESTDIR)$(TMPFILESDIR)/nazorat.conf
	install -D -m 0644 systemd/nazorat.catalog $(DESTDIR)$(CATALOGDIR)/nazorat.catalog
	install -D -m 0644 udev-rules/70-nazorat.rules $(DESTDIR)$(UDEVRULESDIR)/70-nazorat.rules
	if [ "$(MODE)" = enforce ]; then \
	  install -D -m 0644 udev-rules/71-nazorat-enforce.rules $(DESTDIR)$(UDEVRULESDIR)/71-nazorat-enforce.rules; fi
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/nazorat
	[ -e $(DESTDIR)$(SYSCONFDIR)/nazorat/nazorat.toml ] || \
	  sed 's/^mode = .*/mode = "$(MODE)"/' systemd/nazorat.toml > $(DESTDIR)$(SYSCONFDIR)/nazorat/nazorat.toml
	chmod 0640 $(DESTDIR)$(SYSCONFDIR)/nazorat/nazorat.toml
	[ -e $(DESTDIR)$(SYSCONFDIR)/nazorat/rules.conf ] || \
	  install -m 0640 systemd/rules.conf $(DESTDIR)$(SYSCONFDIR)/nazorat/rules.conf
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 0644 docs/openapi.yaml $(DESTDIR)$(DOCDIR)/openapi.yaml

## Remove what `make install` installed, except /etc/nazorat (the station's configuration)
## and /var/lib/nazorat (the event log is evidence; delete it deliberately, never by script).
uninstall:
	for exe in $(EXECUTABLES); do rm -f $(DESTDIR)$(BINDIR)/$$exe; done
	rm -f $(DESTDIR)$(UNITDIR)/nazoratd.service $(DESTDIR)$(UNITDIR)/nazoratd.socket \
	  $(DESTDIR)$(UNITDIR)/nazorat-uplink.service $(DESTDIR)$(SYSUSERSDIR)/nazorat.conf \
	  $(DESTDIR)$(TMPFILESDIR)/nazorat.conf $(DESTDIR)$(CATALOGDIR)/nazorat.catalog \
	  $(DESTDIR)$(UDEVRULESDIR)/70-nazorat.rules $(DESTDIR)$(UDEVRULESDIR)/71-nazorat-enforce.rules \
	  $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/openapi.yaml \
	  $(DESTDIR)$(BASHCOMPDIR)/nazoratctl $(DESTDIR)$(ZSHCOMPDIR)/_nazoratctl
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf .build dev/state dev/demo-state
