@testable import NazoratDaemon
import NazoratCore
import Testing

/// The board's devices: kept as observed, given in port order when read.
@Suite struct StatusBoardTests {
    private func device(_ port: String) -> USBDevice {
        USBDevice(syspath: "/sys/devices/pci0000:00/usb1/" + port, port: port)
    }

    @Test func theDevicesReadInPortOrderAndFollowEachChange() {
        let board = StatusBoard(inventory: nil, alarms: [], phase: .setup, counters: [:], metrics: StationMetrics())
        board.devicesChanged(present: ["1-10", "1-2", "1-1.3", "1-1"].map(device), alarms: [])
        #expect(board.present.map(\.port) == ["1-1", "1-1.3", "1-2", "1-10"])
        #expect(board.present.map(\.port) == ["1-1", "1-1.3", "1-2", "1-10"], "read twice, the same")
        // A change between two reads is what the next read shows: the order is made again.
        board.devicesChanged(present: ["1-10", "1-9"].map(device), alarms: [])
        board.devicesChanged(present: ["1-10", "1-3", "1-9"].map(device), alarms: [])
        #expect(board.present.map(\.port) == ["1-3", "1-9", "1-10"])
    }
}
