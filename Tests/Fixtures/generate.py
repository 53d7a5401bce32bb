#!/usr/bin/env python3
"""Writes the umockdev fixtures of a simulated polling station.

The .umockdev files beside this script are generated: edit this script and run
`python3 Tests/Fixtures/generate.py` (no dependencies) instead of editing them.

Every usb_device gets real binary `descriptors` (device, configuration,
interface, class-specific and endpoint descriptors, as the kernel exposes them)
so that the descriptor hash is computed over realistic bytes. Text attributes
end in a newline like sysfs does. Attributes whose bytes are hostile (escape
sequences, invalid UTF-8, 4 KiB) are written as `H:` hex lines so that the
bytes are exact.

Files:
  polling-station.umockdev      PCI controller, two root hubs, an internal hub
                                with two ballot scanners, a receipt printer and
                                a UPS behind it, a hardwired keyboard.
  usb-stick.umockdev            mass storage stick, for hot-plug at 1-3.
  scanner-lookalike.umockdev    same ids and strings as scanner 1, plus a HID
                                keyboard interface (BadUSB), at 1-3.
  usb-ethernet.umockdev         CDC ethernet adapter, at 1-3.
  scanner-moved.umockdev        sealed scanner 2 plugged in at 1-3 (drift: moved).
  scanner-badusb.umockdev       scanner 1 at its own port with a keyboard interface
                                added (drift: gained HID).
  hostile-strings.umockdev      ANSI escapes, tabs, newlines, invalid UTF-8, a
                                4 KiB serial, at 1-3.
  escape-strings.umockdev       escapes, NUL, DEL, invalid and overlong UTF-8, a
                                bidi override and a C1 control, in strings short
                                enough for USBGuard to hash, at 1-3.
  no-strings.umockdev           no manufacturer, product or serial, at 1-3.
  printer-storage.umockdev      a receipt printer that also offers a mass-storage
                                interface (its driver disk), at 1-3.
  ups-extra-hid.umockdev        a UPS with a keyboard interface beside its HID
                                reports, at 1-3.
  vanishing-device.umockdev     a device the tests remove while it is read, at 1-4
                                (caught before the kernel created its interfaces).
  burst-500.umockdev            500 devices on the USB 3 root hub (2-1 ... 2-500),
                                for a hot-plug storm that overflows the monitor.
  storm-20.umockdev             the first 20 of them, toggled between daemon runs
                                in the crash test.
"""

import os
import struct

NEWLINE = b"\n"
HERE = os.path.dirname(os.path.abspath(__file__))
PCI = "/devices/pci0000:00/0000:00:14.0"


def endpoint(address, attributes, max_packet, interval):
    return struct.pack("<BBBBHB", 7, 5, address, attributes, max_packet, interval)


def interface(number, klass, subclass, protocol, endpoints, extra=b""):
    head = struct.pack("<BBBBBBBBB", 9, 4, number, 0, len(endpoints), klass, subclass, protocol, 0)
    return head + extra + b"".join(endpoints)


HID_CLASS_DESCRIPTOR = struct.pack("<BBHBBBH", 9, 0x21, 0x0111, 0, 1, 0x22, 63)


def configuration(interfaces, max_power=50, self_powered=False):
    body = b"".join(interfaces)
    attributes = 0x80 | (0x40 if self_powered else 0)
    head = struct.pack("<BBHBBBBB", 9, 2, 9 + len(body), len(interfaces), 1, 0, attributes, max_power)
    return head + body


def device_descriptor(usb, klass, vendor, product, bcd, has_strings, protocol=0, packet=64):
    manufacturer, product_index, serial = (1, 2, 3) if has_strings else (0, 0, 0)
    return struct.pack("<BBHBBBBHHHBBBB", 18, 1, usb, klass, 0, protocol, packet,
                       vendor, product, bcd, manufacturer, product_index, serial, 1)


class Device:
    """One usb_device with its interfaces, written parent-first."""

    def __init__(self, path, vendor, product, bcd, interfaces, klass=0, usb=0x0200,
                 manufacturer=None, product_name=None, serial=None, connect_type=None,
                 speed="480", protocol=0, self_powered=False, role=None, children=True):
        self.path = path
        self.name = path.rsplit("/", 1)[1]
        self.vendor, self.product, self.bcd = vendor, product, bcd
        self.interfaces = interfaces  # (class, subclass, protocol, driver, endpoints, extra)
        self.klass, self.usb, self.protocol = klass, usb, protocol
        self.strings = {"manufacturer": manufacturer, "product": product_name, "serial": serial}
        self.connect_type, self.speed, self.self_powered = connect_type, speed, self_powered
        self.role = role  # NAZORAT_ROLE, as udev-rules/70-nazorat.rules sets it
        self.children = children  # whether the kernel has created the interface devices yet

    def descriptors(self):
        has_strings = any(v is not None for v in self.strings.values())
        dev = device_descriptor(self.usb, self.klass, self.vendor, self.product, self.bcd,
                                has_strings, self.protocol)
        ifaces = [interface(i, c, s, p, eps, extra)
                  for i, (c, s, p, _driver, eps, extra) in enumerate(self.interfaces)]
        return dev + configuration(ifaces, self_powered=self.self_powered)

    def lines(self, busnum, devnum):
        out = [f"P: {self.path}", f"N: bus/usb/{busnum:03d}/{devnum:03d}",
               f"E: DEVNAME=/dev/bus/usb/{busnum:03d}/{devnum:03d}",
               "E: DEVTYPE=usb_device", "E: DRIVER=usb",
               f"E: PRODUCT={self.vendor:x}/{self.product:x}/{self.bcd:x}",
               f"E: TYPE={self.klass}/0/{self.protocol}",
               f"E: BUSNUM={busnum:03d}", f"E: DEVNUM={devnum:03d}",
               "E: MAJOR=189", f"E: MINOR={(busnum - 1) * 128 + devnum - 1}",
               "E: SUBSYSTEM=usb"] + ([f"E: NAZORAT_ROLE={self.role}"] if self.role else []) + [
               "A: authorized=1\\n", "A: avoid_reset_quirk=0\\n",
               "A: bConfigurationValue=1\\n",
               f"A: bDeviceClass={self.klass:02x}\\n", "A: bDeviceSubClass=00\\n",
               f"A: bDeviceProtocol={self.protocol:02x}\\n", "A: bMaxPacketSize0=64\\n",
               "A: bNumConfigurations=1\\n", f"A: bNumInterfaces={len(self.interfaces):2d}\\n",
               f"A: bcdDevice={self.bcd:04x}\\n", f"A: busnum={busnum}\\n", f"A: devnum={devnum}\\n",
               f"A: devpath={self.name.split('-', 1)[1] if '-' in self.name else '0'}\\n",
               f"A: idProduct={self.product:04x}\\n", f"A: idVendor={self.vendor:04x}\\n",
               "A: maxchild=0\\n", "A: removable=unknown\\n", f"A: speed={self.speed}\\n",
               f"A: version={self.usb >> 8:2d}.{(self.usb >> 4) & 0xf}{self.usb & 0xf}\\n",
               f"H: descriptors={self.descriptors().hex()}",
               "H: remove="]  # write-only in the kernel; here a file that records the write
        if self.name.startswith("usb"):
            out += ["A: authorized_default=1\\n", "A: interface_authorized_default=1\\n"]
        for key, value in self.strings.items():
            if isinstance(value, bytes):
                out.append(f"H: {key}={(value + NEWLINE).hex()}")
            elif value is not None:
                out.append(f"A: {key}={value}\\n")
        if self.connect_type:
            out.append(f"A: port/connect_type={self.connect_type}\\n")
        out.append("")
        for number, (c, s, p, driver, eps, _extra) in enumerate(self.interfaces if self.children else []):
            # The kernel names a root hub's interface "1-0:1.0", not "usb1:1.0".
            prefix = f"{self.name[3:]}-0" if self.name.startswith("usb") else self.name
            iface = f"{prefix}:1.{number}"
            out += [f"P: {self.path}/{iface}", "E: DEVTYPE=usb_interface",
                    f"E: DRIVER={driver}", f"E: PRODUCT={self.vendor:x}/{self.product:x}/{self.bcd:x}",
                    f"E: INTERFACE={c}/{s}/{p}",
                    f"E: MODALIAS=usb:v{self.vendor:04X}p{self.product:04X}d{self.bcd:04X}"
                    f"ic{c:02X}isc{s:02X}ip{p:02X}in{number:02X}",
                    "E: SUBSYSTEM=usb", "A: authorized=1\\n", "A: bAlternateSetting= 0\\n",
                    f"A: bInterfaceClass={c:02x}\\n", f"A: bInterfaceNumber={number:02x}\\n",
                    f"A: bInterfaceProtocol={p:02x}\\n", f"A: bInterfaceSubClass={s:02x}\\n",
                    f"A: bNumEndpoints={len(eps):02x}\\n", ""]
        return out


def root_hub(bus, usb, product_id, product_name, ports):
    return Device(f"{PCI}/usb{bus}", 0x1d6b, product_id, 0x0601,
                  [(9, 0, 0 if usb < 0x300 else 0, "hub", [endpoint(0x81, 3, 4, 12)], b"")],
                  klass=9, usb=usb, manufacturer="Linux 6.1.0-28-amd64 xhci-hcd",
                  product_name=product_name, serial="0000:00:14.0",
                  speed="480" if usb < 0x300 else "5000", protocol=1 if usb < 0x300 else 3)


def bulk_pair():
    return [endpoint(0x81, 2, 512, 0), endpoint(0x02, 2, 512, 0)]


def hid_keyboard_interface():
    return (3, 1, 1, "usbhid", [endpoint(0x83, 3, 8, 10)], HID_CLASS_DESCRIPTOR)


def scanner(port, serial, parent="usb1/1-1"):
    return Device(f"{PCI}/{parent}/{port}", 0x2c4e, 0x0b01, 0x0112,
                  [(0xff, 0, 0, "", bulk_pair(), b"")],
                  manufacturer="Sayla Systems", product_name="BS-200 Ballot Scanner",
                  serial=serial, connect_type="hardwired", self_powered=True, role="ballot-scanner")


def header(title):
    # umockdev's format has no comments: the titles live in README.md.
    del title
    return []


def write(name, title, entries):
    lines = header(title)
    for device, busnum, devnum in entries:
        lines += device.lines(busnum, devnum)
    with open(os.path.join(HERE, name), "w", encoding="ascii") as f:
        f.write("\n".join(lines))


def station():
    pci = ["P: " + PCI, "E: DRIVER=xhci_hcd", "E: PCI_CLASS=C0330", "E: PCI_ID=8086:A36D",
           "E: SUBSYSTEM=pci", "A: class=0x0c0330\\n", "A: vendor=0x8086\\n", "A: device=0xa36d\\n", ""]
    devices = [
        (root_hub(1, 0x0200, 0x0002, "xHCI Host Controller", 12), 1, 1),
        (root_hub(2, 0x0300, 0x0003, "xHCI Host Controller", 6), 2, 1),
        (Device(f"{PCI}/usb1/1-1", 0x05e3, 0x0610, 0x9226,
                [(9, 0, 1, "hub", [endpoint(0x81, 3, 1, 12)], b"")], klass=9, protocol=1,
                manufacturer="GenesysLogic", product_name="USB2.1 Hub", connect_type="hardwired"), 1, 2),
        (scanner("1-1.1", "BS200-0004711"), 1, 3),
        (scanner("1-1.2", "BS200-0004712"), 1, 4),
        (Device(f"{PCI}/usb1/1-1/1-1.3", 0x04b8, 0x0e28, 0x0100,
                [(7, 1, 2, "usblp", bulk_pair(), b"")],
                manufacturer="EPSON", product_name="TM-T20III Receipt", serial="X6TK012345",
                connect_type="hardwired", self_powered=True), 1, 5),
        (Device(f"{PCI}/usb1/1-1/1-1.4", 0x051d, 0x0002, 0x0106,
                [(3, 0, 0, "usbhid", [endpoint(0x81, 3, 8, 10)], HID_CLASS_DESCRIPTOR)],
                manufacturer="American Power Conversion", product_name="Back-UPS BX950MI FW:295200G",
                serial="9B2203A12345", connect_type="hardwired", speed="12", role="ups"), 1, 6),
        (Device(f"{PCI}/usb1/1-2", 0x413c, 0x2113, 0x0110,
                [hid_keyboard_interface(), (3, 0, 0, "usbhid", [endpoint(0x82, 3, 8, 10)], HID_CLASS_DESCRIPTOR)],
                manufacturer=None, product_name="Dell KB216 Wired Keyboard", serial=None,
                connect_type="hardwired", speed="1.5"), 1, 7),
    ]
    lines = header("A polling station: root hubs, internal hub, two ballot scanners, printer, UPS, keyboard") + pci
    for device, busnum, devnum in devices:
        lines += device.lines(busnum, devnum)
    with open(os.path.join(HERE, "polling-station.umockdev"), "w", encoding="ascii") as f:
        f.write("\n".join(lines))


def hotplug_devices():
    stick = Device(f"{PCI}/usb1/1-3", 0x0781, 0x5567, 0x0100,
                   [(8, 6, 0x50, "usb-storage", bulk_pair(), b"")],
                   manufacturer="SanDisk", product_name="Cruzer Blade", serial="4C530001230915117382",
                   connect_type="hotplug")
    lookalike = Device(f"{PCI}/usb1/1-3", 0x2c4e, 0x0b01, 0x0112,
                       [(0xff, 0, 0, "", bulk_pair(), b""), hid_keyboard_interface()],
                       manufacturer="Sayla Systems", product_name="BS-200 Ballot Scanner",
                       serial="BS200-0004711", connect_type="hotplug", self_powered=True, role="ballot-scanner")
    ethernet = Device(f"{PCI}/usb1/1-3", 0x0bda, 0x8153, 0x3100,
                      [(2, 6, 0, "cdc_ether", [endpoint(0x83, 3, 16, 8)], b""),
                       (10, 0, 0, "cdc_ether", bulk_pair(), b"")],
                      klass=0, manufacturer="Realtek", product_name="USB 10/100/1000 LAN",
                      serial="001000001", connect_type="hotplug")
    hostile = Device(f"{PCI}/usb1/1-3", 0x1234, 0x5678, 0x0001,
                     [(3, 1, 1, "usbhid", [endpoint(0x81, 3, 8, 10)], HID_CLASS_DESCRIPTOR)],
                     manufacturer=b"\x1b]0;pwned\x07\x1b[2J\x1b[31mEVIL\x1b[0m",
                     product_name=b"Tab\there\nNew line\r\xff\xfe\xc3(\xe2\x82 bidi\xe2\x80\xaeRTL",
                     serial=b"S" * 4095, connect_type="hotplug")
    escapes = Device(f"{PCI}/usb1/1-3", 0x1234, 0x5679, 0x0002,
                     [(8, 6, 0x50, "usb-storage", bulk_pair(), b"")],
                     manufacturer=b"\x1b[2J\x1b[HFake\x00Vendor\x7f",
                     product_name=b"Scanner\xe2\x80\xaeRCS\xc0\xaf\xed\xa0\x80\xc2\x85 \xd0\x9a\xd0\xb8\xd1\x80",
                     serial=b"SN\t\x1b]8;;http://x\x07link\x1b]8;;\x07\r\n42", connect_type="hotplug")
    bare = Device(f"{PCI}/usb1/1-3", 0xabcd, 0x0001, 0x0000,
                  [(0xff, 0xff, 0xff, "", bulk_pair(), b"")], connect_type="hotplug")
    vanishing = Device(f"{PCI}/usb1/1-4", 0x090c, 0x1000, 0x1100,
                       [(8, 6, 0x50, "usb-storage", bulk_pair(), b"")],
                       manufacturer="Generic", product_name="Flash Disk", serial="FBG1605190000123",
                       connect_type="hotplug", children=False)
    printer = Device(f"{PCI}/usb1/1-3", 0x04b8, 0x0e15, 0x0100,
                     [(7, 1, 2, "usblp", bulk_pair(), b""), (8, 6, 0x50, "usb-storage", bulk_pair(), b"")],
                     manufacturer="EPSON", product_name="TM-T88VI Receipt", serial="X7AB000111",
                     connect_type="hotplug", self_powered=True, role="printer")
    ups = Device(f"{PCI}/usb1/1-3", 0x051d, 0x0003, 0x0106,
                 [(3, 0, 0, "usbhid", [endpoint(0x81, 3, 8, 10)], HID_CLASS_DESCRIPTOR), hid_keyboard_interface()],
                 manufacturer="American Power Conversion", product_name="Smart-UPS 750", serial="AS1234567890",
                 connect_type="hotplug", speed="12", role="ups")
    write("printer-storage.umockdev", "A receipt printer with a mass-storage interface, at 1-3", [(printer, 1, 29)])
    write("ups-extra-hid.umockdev", "A UPS with a keyboard interface beside its HID reports, at 1-3", [(ups, 1, 30)])
    write("usb-stick.umockdev", "A USB mass-storage stick, hot-plugged at 1-3", [(stick, 1, 20)])
    write("scanner-moved.umockdev", "Sealed scanner 2 (BS200-0004712) plugged in at 1-3 instead of 1-1.2",
          [(scanner("1-3", "BS200-0004712", parent="usb1"), 1, 27)])
    badusb = Device(f"{PCI}/usb1/1-1/1-1.1", 0x2c4e, 0x0b01, 0x0112,
                    [(0xff, 0, 0, "", bulk_pair(), b""), hid_keyboard_interface()],
                    manufacturer="Sayla Systems", product_name="BS-200 Ballot Scanner",
                    serial="BS200-0004711", connect_type="hardwired", self_powered=True, role="ballot-scanner")
    write("scanner-badusb.umockdev", "Scanner 1's ids, serial and firmware at its port, with a HID keyboard interface",
          [(badusb, 1, 28)])
    write("scanner-lookalike.umockdev",
          "A ballot-scanner look-alike (ids and strings of scanner 1) with a HID keyboard interface, at 1-3",
          [(lookalike, 1, 21)])
    write("usb-ethernet.umockdev", "A USB ethernet adapter (CDC ECM), at 1-3", [(ethernet, 1, 22)])
    write("hostile-strings.umockdev",
          "A device whose strings hold ANSI escapes, tabs, newlines, invalid UTF-8 and a 4 KiB serial, at 1-3",
          [(hostile, 1, 23)])
    write("escape-strings.umockdev",
          "A device whose strings hold escapes and invalid UTF-8 within USBGuard's length limit, at 1-3",
          [(escapes, 1, 26)])
    write("no-strings.umockdev", "A device with no string descriptors at all, at 1-3", [(bare, 1, 24)])
    write("vanishing-device.umockdev", "A device that disappears while it is being read, at 1-4",
          [(vanishing, 1, 25)])
    burst = [(Device(f"{PCI}/usb2/2-{n}", 0x16c0, 0x05dc, 0x0100,
                     [(3, 0, 0, "usbhid", [endpoint(0x81, 3, 8, 10)], b"")],
                     manufacturer="Burst", product_name="Storm device", serial=f"STORM{n:04d}",
                     connect_type="hotplug", speed="12"), 2, 1 + n) for n in range(1, 501)]
    write("burst-500.umockdev", "500 devices on the USB 3 root hub, for a hot-plug storm", burst)
    write("storm-20.umockdev", "The first 20 of the storm, toggled between daemon runs", burst[:20])


if __name__ == "__main__":
    station()
    hotplug_devices()
