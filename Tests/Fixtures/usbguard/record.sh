#!/usr/bin/env bash
# Records what USBGuard (`usbguard generate-policy -p`, one rule per device with via-port)
# prints for each fixture, so that the hash-compatibility test also runs without usbguard.
# The station is present alone, then with each hot-plug fixture added.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=Tests/Fixtures/usbguard
sim=.build/debug/nazorat-station-sim
record() {
  "$sim" --station Tests/Fixtures/polling-station.umockdev ${2:+--extra "$2"} -- \
    /usr/bin/usbguard generate-policy -p 2>/dev/null > "$out/$1.rules"
  echo "wrote $out/$1.rules ($(wc -l < "$out/$1.rules") rules)"
}
record polling-station ""
for f in usb-stick scanner-lookalike usb-ethernet hostile-strings escape-strings no-strings vanishing-device; do
  record "$f" "Tests/Fixtures/$f.umockdev"
done
