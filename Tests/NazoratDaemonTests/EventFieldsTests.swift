@testable import NazoratDaemon
import NazoratCore
import Testing

/// The journal fields taken from an event's payload.
@Suite struct EventFieldsTests {
    @Test func aDevicePayloadGivesItsPortIdAndSerial() {
        let payload = #"{"cause":"uevent"}"#
        #expect(EventFields.device(fromPayload: payload).isEmpty, "no device object, no fields")
        let device = #"{"cause":"uevent","device":{"port":"1-3","vendorId":"0781","productId":"5567","serial":null,"interfaces":["08:06:50"]}}"#
        #expect(EventFields.device(fromPayload: device)
                == ["NAZORAT_DEVICE_PORT": "1-3", "NAZORAT_DEVICE_ID": "0781:5567"])
        let serial = #"{"device":{"port":"1-3","vendorId":"0781","productId":null,"serial":"4C53"}}"#
        #expect(EventFields.device(fromPayload: serial) == ["NAZORAT_DEVICE_PORT": "1-3", "NAZORAT_DEVICE_SERIAL": "4C53"])
        #expect(EventFields.device(fromPayload: #"{"device":"1-3"}"#).isEmpty)
        #expect(EventFields.device(fromPayload: "not json").isEmpty)
    }

    @Test func aTopLevelStringIsFoundAmongOtherValues() {
        let payload = #"{"kind":"drift.missing","id":7,"open":true,"nested":{"kind":"no"}}"#
        #expect(EventFields.string("kind", inPayload: payload) == "drift.missing")
        #expect(EventFields.string("id", inPayload: payload) == nil, "a number is not a string")
        #expect(EventFields.string("kind", inPayload: "[1,2]") == nil)
    }
}
