import NazoratConfiguration
import Testing

@Suite struct CentralAddressTests {
    @Test func aNameWithoutPortOrPathTakesTheSchemesPortAndTheRoot() throws {
        let address = try #require(CentralAddress(url: "https://central.example"))
        #expect((address.usesTLS, address.host, address.port, address.path, address.hostHeader)
            == (true, "central.example", 443, "/", "central.example"))
        #expect(!address.hostIsAddress)
        let plain = try #require(CentralAddress(url: "http://localhost/v1/envelopes"))
        #expect((plain.usesTLS, plain.port, plain.path, plain.hostHeader) == (false, 80, "/v1/envelopes", "localhost"))
    }

    @Test func aPortOtherThanTheSchemesGoesIntoTheHostHeader() throws {
        let address = try #require(CentralAddress(url: "https://10.1.2.3:8443/v1/envelopes"))
        #expect((address.host, address.port, address.hostHeader) == ("10.1.2.3", 8443, "10.1.2.3:8443"))
        #expect(address.hostIsAddress)
        // The scheme's own port written out is the same address.
        #expect(CentralAddress(url: "https://central.example:443/")?.hostHeader == "central.example")
    }

    @Test func anIPv6AddressLosesItsBracketsForTheResolverAndKeepsThemInTheHostHeader() throws {
        let address = try #require(CentralAddress(url: "http://[::1]:8080/relay/v1/envelopes"))
        #expect((address.host, address.port, address.path, address.hostHeader)
            == ("::1", 8080, "/relay/v1/envelopes", "[::1]:8080"))
        #expect(address.hostIsAddress)
        #expect(CentralAddress(url: "https://[2001:db8::7]")?.hostHeader == "[2001:db8::7]")
    }

    /// Each is refused whole: the uplink would otherwise connect somewhere other than the
    /// URL seems to say, or send a request target central never meant.
    @Test(arguments: [
        "", "central.example", "ftp://central.example/", "https://", "https:///v1/envelopes",
        "https://user:secret@central.example/",  // user information
        "https://central.example/v1/envelopes?station=TSH-1", "https://central.example/#top",
        "https://central.example:0/", "https://central.example:65536/", "https://central.example:/",
        "https://central.example:443x/", "https://central.example:+443/", "https://central.example:٤٤٣/",
        "https://[::1/", "https://[]/", "https://[::1]x/", "https://[fe80::1%eth0]/", "https://[::g]/",
        "https://central example/", "https://central.example\u{0}/", "https://céntral.example/",
        "https://central.example/a b", "https://central.example/\u{7F}", "https://central.example/\r\nX-Evil: 1",
    ])
    func aURLThatIsNotPlainHostPortAndPathIsRefused(url: String) {
        #expect(CentralAddress(url: url) == nil)
    }
}
