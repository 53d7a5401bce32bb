import Foundation
import Testing

/// Headless Chromium driven over WebDriver (Debian's chromium and chromium-driver): the
/// dashboard's tests read the page as a person sees it, after its script ran.
final class Browser {
    private let driver: RunningProcess
    private let port: Int
    private let session: String
    private let profile: String

    init() async throws {
        port = Int.random(in: 20_000...40_000)
        driver = try RunningProcess("/usr/bin/chromedriver", ["--port=\(port)", "--allowed-ips=127.0.0.1"], environment: [:])
        try await driver.waitForLine(containing: "started successfully")
        profile = try Paths.temporaryDirectory()
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": [
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100",
                     "--user-data-dir=\(profile)", "--no-first-run", "--disable-background-networking"],
        ]]]]
        let answer = try Self.call(port, "POST", "/session", capabilities)
        session = try #require((answer["value"] as? [String: Any])?["sessionId"] as? String, "\(answer)")
    }

    deinit {
        _ = try? Self.call(port, "DELETE", "/session/\(session)", nil)
        _ = driver.stop(SIGKILL)
    }

    func open(_ url: String) throws {
        _ = try Self.call(port, "POST", "/session/\(session)/url", ["url": url])
    }

    /// What `script` (a function body) returns in the page.
    func run(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        try Self.call(port, "POST", "/session/\(session)/execute/sync", ["script": script, "args": arguments])["value"]
    }

    /// The page as a PNG.
    func screenshot() throws -> Data {
        let value = try Self.call(port, "GET", "/session/\(session)/screenshot", nil)["value"] as? String
        return try #require(value.flatMap { Data(base64Encoded: $0) })
    }

    /// Signs in through the page's form, as a person would.
    func signIn(at base: String, name: String, password: String) async throws {
        try open(base + "/dashboard/")
        try await eventually("the sign-in form") { try run("return !document.querySelector('#login').hidden") as? Bool == true }
        _ = try run("""
            document.querySelector('#name').value = arguments[0];
            document.querySelector('#password').value = arguments[1];
            document.querySelector('#login button').click();
            """, [name, password])
    }

    private static func call(_ port: Int, _ method: String, _ path: String, _ body: Any?) throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let response = try UnixHTTP.request(port: port, method, path, body: data, headers: ["Host": "127.0.0.1:\(port)"])
        return try response.json()
    }
}
