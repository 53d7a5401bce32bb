# Helpers for the VM test's scenario scripts (sourced; Tests/VM). Every wait here waits on
# an event (a journal entry, a udev event, systemd's job), bounded by a timeout that only
# a broken station reaches.

# The journal's position now: pass it to jwait before acting, so nothing is missed.
jcursor() { journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'; }

# jwait CURSOR SECONDS ERE [MATCHES...]: the first journal entry after CURSOR (as JSON, one
# line) matching the extended regular expression, or status 1 after SECONDS.
jwait() {
	local cursor=$1 seconds=$2 pattern=$3 fd pid line
	shift 3
	exec {fd}< <(exec journalctl -f -q --after-cursor="$cursor" -o json "$@")
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
