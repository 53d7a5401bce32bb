import NazoratCore
import Testing

/// A device's parent is found by the kernel's naming rather than through libudev.
@Suite struct USBSysfsNameTests {
    @Test(arguments: ["usb1", "usb12", "1-1", "3-10", "1-1.2", "2-1.4.3.1"])
    func devicesAreRootHubsAndPortPaths(name: String) {
        #expect(USBSysfsName.isDevice(name))
    }

    @Test(arguments: ["1-1:1.0", "1-1.2:1.1", "0000:00:14.0", "pci0000:00", "usb", "usbx", "xhci-hcd.0.auto",
                      "1-", "-1", "1-1.", "1-.2", "a-1", "devices", ""])
    func interfacesControllersAndOthersAreNot(name: String) {
        #expect(!USBSysfsName.isDevice(name))
    }

    @Test func theParentOfADeviceIsItsDirectory() throws {
        let hub = try #require(USBSysfsName.parent(of: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2"))
        #expect(hub.syspath == "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1" && hub.isDevice)
        let controller = try #require(USBSysfsName.parent(of: "/sys/devices/pci0000:00/0000:00:14.0/usb1"))
        #expect(controller.syspath == "/sys/devices/pci0000:00/0000:00:14.0" && !controller.isDevice)
        #expect(USBSysfsName.parent(of: "/sys") == nil)
    }
}
