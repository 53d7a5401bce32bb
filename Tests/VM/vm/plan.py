"""The order of the scenarios, and the boots they share (as few as the scenarios allow).

1. first boot, fresh image: install, monitor mode, commissioning (enforce), reboot;
2. the commissioned station: enforcement, integrity, systemd, uplink;
3. early boot: QEMU's own USB devices present from power-on, under the kernel parameter;
4. three power cuts, then a last boot that checks the last cut and removes and purges
   the package."""
from . import enforce, image, install, integrity, interfaces, log, powercut, systemd_real, uplink
from .central import Central
from .machine import GuestError, Machine
from .station import ScenarioFailure, scenario

CUTS = 3


def kernel_files():
    release = image.kernel_release()
    return f"/boot/vmlinuz-{release}", f"/boot/initrd.img-{release}"


def run_all(station, work, args):
    kernel, initrd = kernel_files()
    wanted = lambda name: not args.only or name in args.only  # noqa: E731
    central = Central(args.central, work) if args.central else None

    def boot(name, steps, **machine):
        m = Machine(station, kernel, initrd, work, name, **machine)
        try:
            m.start()
            for title, fn in steps:
                if fn is None:
                    m.reboot()
                elif wanted(title):
                    scenario(m, title, fn)
        except GuestError as broken:
            log.failed(name, f"{broken}\n--- console ---\n{m.console_tail()}")
        return m

    steps = [("install", install.install), ("monitor mode writes nothing", install.monitor_writes_nothing),
             ("commissioning", install.commission), ("reboot", None),
             ("nazoratd ready after boot", enforce.ready_after_boot),
             ("the station's equipment works", enforce.station_equipment_works),
             ("a USB stick never becomes a disk", enforce.stick_never_becomes_a_disk),
             ("a USB ethernet adapter gets no interface", enforce.ethernet_gets_no_interface),
             ("the scanner look-alike is rejected", enforce.lookalike_rejected),
             ("hostile strings are escaped", enforce.hostile_strings_escaped),
             ("new equipment allowed by id", interfaces.allow_the_new_equipment),
             ("a printer prints without its disk", interfaces.printer_prints_without_its_disk),
             ("a terminal keeps its vendor interface, not its keyboard",
              interfaces.terminal_keeps_its_vendor_interface_not_its_keyboard),
             ("drift alarms from real gadgets", integrity.drift_alarms),
             ("a sealed scanner unplugged while the polls are open", integrity.unplugged_scanner_while_polls_open),
             ("the watchdog restarts a stopped nazoratd", systemd_real.watchdog_restarts_a_stopped_daemon),
             ("socket activation", systemd_real.socket_activation),
             ("the catalog in journalctl -x", systemd_real.catalog_in_the_journal),
             ("the exposure on the running system", systemd_real.exposure_online_equals_offline),
             ("a technician and a stranger", systemd_real.technician_and_stranger),
             ("a failing nazoratd behind its socket", systemd_real.failing_daemon_behind_its_socket)]
    if central:
        steps.append(("the uplink delivers to central", lambda m: uplink.uplink_to_central(m, central)))
    steps.append(("the syscall filters killed nothing", systemd_real.syscall_filter_killed_nothing))
    forwards = [central.forward()] if central else []
    try:
        boot("station", steps, forwards=forwards).poweroff()
    finally:
        if central:
            central.stop()
    early_boot(station, work, kernel, initrd, wanted)
    power_cuts(station, work, kernel, initrd, wanted)


def early_boot(station, work, kernel, initrd, wanted):
    """QEMU's own USB controller with a stick and a keyboard present from power-on, under the
    kernel parameter. A boot of its own: its xhci bus takes the first bus numbers, so the
    station's gadgets sit at other ports than the sealed ones (drift alarms, which clear
    on the next boot)."""
    if not (wanted("early boot, fail closed") or wanted("QEMU's usb-storage hot-plugged over QMP")):
        return
    for disk in ("qstick", "hotstick"):
        (work / f"{disk}.img").write_bytes(b"\0" * (16 << 20))
    usb = [["-drive", f"if=none,id=qstick,format=raw,file={work / 'qstick.img'}"],
           ["-device", "usb-storage,bus=xhci.0,drive=qstick,serial=QSTICK01"], ["-device", "usb-kbd,bus=xhci.0"],
           ["-drive", f"if=none,id=hotstick,format=raw,file={work / 'hotstick.img'}"]]
    m = Machine(station, kernel, initrd, work, "early-boot", append=powercut.KERNEL_PARAMETER, usb_devices=usb)
    try:
        m.start()
        scenario(m, "early boot, fail closed", powercut.early_boot_fail_closed)
        scenario(m, "QEMU's usb-storage hot-plugged over QMP", powercut.qmp_hotplug_stick)
        m.poweroff()
    except GuestError as broken:
        log.failed("early boot", f"{broken}\n--- console ---\n{m.console_tail()}")
        m.power_cut()


def power_cuts(station, work, kernel, initrd, wanted):
    if not wanted("power cuts"):
        return
    seed, rng = powercut.rng_for_run()
    log.step(f"power cuts: {CUTS}, at random moments (seed {seed})")
    acknowledged = None
    for cut in range(CUTS + 1):
        name = f"power-cut-{cut + 1}" if cut < CUTS else "after-the-last-cut"
        m = Machine(station, kernel, initrd, work, name, append=powercut.KERNEL_PARAMETER)
        try:
            m.start()
            if acknowledged is not None:
                scenario(m, f"after power cut {cut}", lambda m, a=acknowledged: powercut.after_the_cut(m, a))
            if cut < CUTS:
                seen = powercut.report_until_cut(m, rng)
                acknowledged = seen["last"]
                log.saw(f"{name}: {seen['acks']} counter reports acknowledged from {seen['start']}, "
                        f"the last {acknowledged}; QEMU killed")
            else:
                scenario(m, "remove, then purge", install.remove_then_purge)
                m.poweroff()
        except (GuestError, ScenarioFailure) as broken:
            log.failed(name, f"{broken}\n--- console ---\n{m.console_tail()}")
            m.power_cut()
            return


def shell(base, work, deb):
    """A root shell on a fresh station: the image with the package installed (monitor mode)
    and the station's equipment plugged; each line runs as a script through the agent."""
    kernel, initrd = kernel_files()
    work = work / "shell"
    work.mkdir(exist_ok=True)
    machine = Machine(image.station_image(base, work, deb), kernel, initrd, work, "shell")
    machine.start()
    machine.run("apt-get -o DPkg::Lock::Timeout=300 install -y -q /root/nazorat.deb && vm-gadget station")
    print("station up (monitor mode, the station's equipment plugged; `vm-gadget add stick` plugs a stick);\n"
          "type shell commands, end with Ctrl-D (the station powers off)")
    try:
        while True:
            try:
                line = input("station# ")
            except EOFError:
                break
            status, out = machine.run(line, check=False)
            print(out + (f"\n[exit {status}]" if status else ""))
    finally:
        machine.poweroff()
    return 0
