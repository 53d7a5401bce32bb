/// What each event type means and what a technician should do: the journal catalog
/// (`systemd/nazorat.catalog`, shown by `journalctl -x`), generated from this table by
/// `nazoratd catalog` so that the two cannot drift apart.
public enum EventCatalog {
    /// One catalog entry.
    public struct Entry: Sendable {
        /// The event type.
        public var type: String
        /// The one-line subject.
        public var subject: String
        /// What happened and what to do.
        public var text: String
    }

    /// Every event type nazoratd records.
    public static let entries: [Entry] = [
        Entry(type: "daemon.started", subject: "nazoratd started",
              text: "The equipment-supervision daemon started and is about to enumerate the USB devices. If this "
                  + "appears without a daemon.stopped before it, the daemon was killed or crashed: check the "
                  + "previous boot's log and the devices changed while it was down (events marked \"while stopped\")."),
        Entry(type: "daemon.stopped", subject: "nazoratd stopped cleanly",
              text: "The daemon stopped on request and signed a checkpoint of its log. USB devices are not "
                  + "supervised until it starts again."),
        Entry(type: "device.added", subject: "A USB device was connected",
              text: "A USB device appeared (plugged in, found at start, or found while the daemon was stopped). "
                  + "The policy decision follows in a policy.decision event. If nobody plugged anything in, "
                  + "inspect the port named in the message."),
        Entry(type: "device.removed", subject: "A USB device was disconnected",
              text: "A USB device left. If it is sealed equipment, a device.missing alarm follows: reconnect it "
                  + "and acknowledge the alarm with a note."),
        Entry(type: "device.changed", subject: "A USB device changed in place",
              text: "A present device now reports other strings, firmware, interfaces or authorization. A device "
                  + "that changes what it claims to be is suspicious: compare it with the sealed inventory."),
        Entry(type: "device.interface", subject: "A USB interface was added, bound or removed",
              text: "An interface of a device appeared, was bound to or unbound from a driver, or left. A keyboard "
                  + "(03:01:01) or network interface on equipment that should not have one is a BadUSB sign."),
        Entry(type: "device.unreadable", subject: "A USB device could not be read",
              text: "A device was listed but could not be read, most often because it disappeared while it was "
                  + "read. It was skipped; if it is still connected, unplug and reconnect it."),
        Entry(type: "monitor.rescanned", subject: "USB events were lost and all devices rescanned",
              text: "The udev monitor reported lost events (ENOBUFS) or failed; every device was read again and the "
                  + "differences were logged. Frequent rescans mean an event storm: look for a flapping device."),
        Entry(type: "policy.decision", subject: "The policy decided about a USB device",
              text: "The rule file allowed, blocked or rejected a device, by the rule at the line named in the "
                  + "message or by the implicit target. In monitor mode nothing was applied."),
        Entry(type: "enforcement.write", subject: "A USB authorization was written",
              text: "nazoratd wrote authorized, remove or authorized_default in sysfs to apply a decision."),
        Entry(type: "enforcement.failed", subject: "A USB authorization could not be written",
              text: "Applying a decision failed. A rejected device is deauthorized before it is removed, so it stays "
                  + "blocked; unplug it by hand and check the sysfs permissions of nazoratd."),
        Entry(type: "alarm.raised", subject: "An integrity alarm was raised",
              text: "The station differs from the sealed inventory (missing, unexpected, moved or altered device, "
                  + "a gained keyboard or network interface, a flapping scanner), or storage is damaged. Check the "
                  + "equipment named in the message and acknowledge the alarm with a note."),
        Entry(type: "alarm.acknowledged", subject: "An alarm was acknowledged",
              text: "Someone took note of an alarm; it stays open until its condition ends."),
        Entry(type: "alarm.cleared", subject: "An alarm's condition ended",
              text: "The station matches the seal again for this alarm."),
        Entry(type: "device.override", subject: "An administrator allowed or blocked a device",
              text: "A member of nazorat-admin (named in the message, with the command used) allowed or blocked "
                  + "the device at the port named, over the control socket. With --permanent a rule for the device "
                  + "was also put at the top of the policy file. Check that the person was entitled to do it."),
        Entry(type: "control.denied", subject: "A control-socket request was refused",
              text: "A client asked nazoratd for something it may not do: the message names the request, the "
                  + "client's user, process and command line, and the missing permission. Repeated refusals from "
                  + "an unknown program are a sign of tampering: find the process and report it."),
        Entry(type: "counters.reported", subject: "A ballot scanner's counters rose",
              text: "The scanner software reported the scanner's cumulative public (this election) and protective "
                  + "(lifetime) counters, and they were accepted. Nothing to do."),
        Entry(type: "counters.anomaly", subject: "A ballot counter report was refused",
              text: "A counter went down, counters came for a port that is not a sealed ballot scanner or whose "
                  + "scanner is not connected, or they changed after the polls closed. The reported values are kept "
                  + "as evidence, the last good values stay current, and an alarm is open. Call the election "
                  + "official: a counter that goes backwards is evidence of tampering or a faulty scanner."),
        Entry(type: "polls.opened", subject: "The polls opened",
              text: "An administrator opened the polls: the public counters restart from 0 and the protective "
                  + "counters were recorded. Alarms are more severe while the polls are open."),
        Entry(type: "polls.closed", subject: "The polls closed",
              text: "An administrator closed the polls; the counters are final and listed in this event. Counter "
                  + "reports that change them are refused from now on. Per-contest totals may now be submitted."),
        Entry(type: "results.submitted", subject: "Per-contest totals were submitted",
              text: "The scanner software submitted the per-contest totals after the polls closed; they are part of "
                  + "the final report."),
        Entry(type: "results.refused", subject: "Per-contest totals were refused before close",
              text: "Totals may travel only after the polls close (VVSG 2.0 requirement 1.1.9-K). The submission "
                  + "was refused; find out why the scanner software sent totals early."),
        Entry(type: "alarm.regraded", subject: "An alarm's severity followed the polls phase",
              text: "The polls opened or closed, and an open device alarm took the severity its kind has in the new "
                  + "phase: higher while the polls are open."),
        Entry(type: "inventory.sealed", subject: "The commissioned inventory was sealed",
              text: "The devices present were recorded as the commissioned equipment, with a signed checkpoint. "
                  + "Every difference from now on raises an alarm."),
        Entry(type: "config.reloaded", subject: "Configuration and policy reloaded",
              text: "On SIGHUP nazoratd loaded its configuration and rule file again; the new policy decides the "
                  + "devices that arrive or change from now on."),
        Entry(type: "config.reload-refused", subject: "A configuration reload was refused",
              text: "The new configuration or rule file is invalid (the message names file:line:column), or it "
                  + "changes what needs a restart. The previous configuration stays in force: fix the file and "
                  + "reload again."),
        Entry(type: "storage.recovered", subject: "Writing the log works again",
              text: "The disk accepted writes again after a failure; the events kept in memory were written in order."),
        Entry(type: "events.lost", subject: "Events were lost while storage was failing",
              text: "The in-memory queue overflowed during a storage outage. The message gives how many events were "
                  + "lost; the payload gives their types and time span. Report it to central and free disk space."),
        Entry(type: "log.chain-restarted", subject: "A damaged database was moved aside; a new log chain starts",
              text: "The database failed its checks at start. It was renamed, never reused, and a new chain began; "
                  + "the message names the old file and the last event that still verifies. Keep the old file as "
                  + "evidence and report the alarm."),
    ]

    /// The catalog file, one entry per MESSAGE_ID (see systemd's catalog format).
    public static func render() -> String {
        var out = "# The journal catalog of nazoratd, generated by `nazoratd catalog`; do not edit.\n"
        for entry in entries {
            out += "\n-- \(MessageID.forType(entry.type))\nSubject: \(entry.subject)\nDefined-By: nazorat\n"
            out += "Support: contact your election's technical support desk\n\n"
            out += "Event type \(entry.type). \(entry.text)\n"
        }
        return out
    }
}
