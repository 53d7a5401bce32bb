# Helpers for the VM test's scenario scripts (sourced; Tests/VM). Every wait here waits on
# an event (a journal entry, a udev event, systemd's job), bounded by a timeout that only
# a broken station reaches.

# The journal's position now: a marker entry of our own (SYSLOG_IDENTIFIER=vm-test, which no
# query of the scenarios matches), its cursor printed once journald has it. Pass it to jwait
# or to `journalctl --cursor=` before acting, so that nothing the action causes is missed.
# (`--cursor`, not `--after-cursor`: journalctl 252's --after-cursor finds nothing when field
# matches are given and the cursor's own entry does not match them; tried on the image.)
jcursor() {
	local mark fd pid line
	mark="vm-test-mark-$(cat /proc/sys/kernel/random/uuid)"
	logger -t vm-test "$mark"
	# -n all: the marker is found whether it arrived before journalctl started or after.
	exec {fd}< <(exec journalctl -f -q -n all -o json MESSAGE="$mark")
	pid=$!
	line=$(timeout 120 grep -m1 -F -- "$mark" <&"$fd") || { kill "$pid"; echo "jcursor: marker not journaled" >&2; return 1; }
	kill "$pid" 2>/dev/null; exec {fd}<&-
	printf '%s\n' "$line" | sed -n 's/.*"__CURSOR":"\([^"]*\)".*/\1/p'
}

# jwait CURSOR SECONDS ERE [MATCHES...]: the first journal entry from CURSOR on (as JSON, one
# line) matching the extended regular expression and the journalctl MATCHES, or status 1
# after SECONDS.
jwait() {
	local cursor=$1 seconds=$2 pattern=$3 fd pid line
	shift 3
	exec {fd}< <(exec journalctl -f -q --cursor="$cursor" -o json "$@")
	pid=$!
	if line=$(timeout "$seconds" grep -m1 -E -- "$pattern" <&"$fd"); then
		kill "$pid" 2>/dev/null; exec {fd}<&-
		printf '%s\n' "$line"
		return 0
	fi
	kill "$pid" 2>/dev/null; exec {fd}<&-
	echo "not in the journal within ${seconds}s: $pattern $*" >&2
	return 1
}

# nazwait CURSOR SECONDS EVENT [FIELD=VALUE...]: the first nazoratd event of type EVENT
# (NAZORAT_EVENT) after CURSOR, with the given journal fields.
nazwait() {
	local cursor=$1 seconds=$2 event=$3
	shift 3
	jwait "$cursor" "$seconds" '"NAZORAT_EVENT"' SYSLOG_IDENTIFIER=nazoratd NAZORAT_EVENT="$event" "$@"
}

# started CURSOR SECONDS UNIT: systemd reported UNIT started (for Type=notify: READY=1).
started() {
	jwait "$1" "$2" '"JOB_RESULT":"done"' _PID=1 UNIT="$3" MESSAGE_ID=39f53479d3a045ac8e11786248231fbf
}

# field NAME: the value of a JSON field in a journal entry on stdin (string values only).
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

# The interfaces of the device at port PORT bound to a driver, as "intf=driver" lines.
bound() {
	local i
	for i in /sys/bus/usb/devices/"$1":*; do
		[ -e "$i" ] || continue
		printf '%s=%s\n' "${i##*/}" "$( [ -e "$i/driver" ] && basename "$(readlink "$i/driver")" || echo none)"
	done
}

# plug NAME [vm-gadget options]: plugs the gadget, sets PORT, and prints nazoratd's decision
# on it (the policy.decision entry's message) once it is in the journal.
plug() {
	local c
	c=$(jcursor)
	PORT=$(vm-gadget add "$@")
	nazwait "$c" 300 policy.decision NAZORAT_SUBJECT="$PORT" | field MESSAGE
}

# usbport VID:PID: the ports of the present USB devices with these ids.
usbport() {
	local d
	for d in /sys/bus/usb/devices/*; do
		[ "$(cat "$d/idVendor" 2>/dev/null):$(cat "$d/idProduct" 2>/dev/null)" = "$1" ] && basename "$d"
	done
	return 0
}
