import NazoratHTTP

/// The dashboard's page and style sheet, served by central itself: no CDN, no web fonts, no
/// inline script (the Content-Security-Policy forbids it), so that an offline monitoring
/// room works and a station's strings can never become markup. The script is
/// DashboardScript.swift.
enum DashboardAssets {
    /// What every dashboard file is sent with.
    static func asset(_ text: String, type: String) -> ControlResponse {
        var response = ControlResponse(status: 200, body: Array(text.utf8), contentType: type)
        response.headers = [
            ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                + "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"),
        ]
        return response
    }

    static let page = asset("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Nazorat: monitoring room</title>
        <link rel="stylesheet" href="/dashboard/style.css">
        <script src="/dashboard/app.js" defer></script>
        </head>
        <body>
        <header><h1>Nazorat</h1><span id="who"></span><button id="logout" hidden>Sign out</button></header>
        <form id="login" hidden>
          <h2>Sign in</h2>
          <label>Name <input id="name" autocomplete="username" required></label>
          <label>Password <input id="password" type="password" autocomplete="current-password" required></label>
          <button type="submit">Sign in</button>
          <p id="login-error" class="error"></p>
        </form>
        <main id="overview" hidden>
          <p class="stamp">As of <span id="generated"></span> <span id="live-state"></span></p>
          <section><h2>The country</h2><table id="national"><thead></thead><tbody></tbody></table>
            <p>Turnout while the polls are open: <strong id="turnout">0</strong> ballots</p></section>
          <section><h2>Needs attention</h2><p id="attention-total"></p>
            <table id="attention"><thead><tr><th>Station</th><th>Region</th><th>District</th><th>Name</th><th>State</th>
            <th>Open alarms</th><th>Last seen</th></tr></thead><tbody></tbody></table></section>
          <section><h2>Regions</h2><table id="regions"><thead></thead><tbody></tbody></table></section>
          <section class="operator"><h2>Enrol a station</h2>
            <form id="enroll"><label>Station <input id="enroll-station" required></label>
            <label>Public key <input id="enroll-key" required size="48"></label><button type="submit">Enrol</button>
            <span id="enroll-result"></span></form></section>
        </main>
        <main id="station" hidden>
          <p><a href="#/">← The country</a></p>
          <h2 id="station-title"></h2>
          <p>State: <strong id="station-state"></strong>; phase <span id="station-phase"></span>;
             last seen <span id="station-seen"></span></p>
          <button id="retire" class="operator">Retire this station</button> <span id="retire-result"></span>
          <section><h3>Open alarms</h3><ul id="station-alarms"></ul></section>
          <section><h3>Counters</h3><table id="station-counters"><thead><tr><th>Scanner</th><th>Public</th>
            <th>Protective</th></tr></thead><tbody></tbody></table></section>
          <section><h3>Heartbeats</h3><table id="station-heartbeats"><thead><tr><th>Seq</th><th>Received</th>
            <th>Phase</th><th>Open alarms</th></tr></thead><tbody></tbody></table></section>
          <section><h3>Events</h3><table id="station-events"><thead><tr><th>Seq</th><th>Time</th><th>Type</th>
            <th>Severity</th><th>Message</th></tr></thead><tbody></tbody></table></section>
        </main>
        </body>
        </html>
        """, type: "text/html; charset=utf-8")

    static let style = asset("""
        body { font-family: system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #1b1b1b; background: #fafafa; }
        header { display: flex; gap: 1rem; align-items: baseline; border-bottom: 1px solid #ccc; }
        header h1 { font-size: 1.4rem; margin: 0.6rem 0; }
        #who { margin-left: auto; color: #555; }
        table { border-collapse: collapse; margin: 0.5rem 0; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
        th { background: #eee; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .state-down { background: #f8d0d0; } .state-late { background: #fbeec1; } .state-up { background: #d9f0d9; }
        .state-never-seen { background: #e4e4e4; } .state-done { background: #d6e6f7; } .state-retired { color: #777; }
        .error { color: #a00000; } .stamp { color: #555; }
        body:not([data-role="operator"]) .operator { display: none; }
        form label { display: block; margin: 0.4rem 0; } #enroll label { display: inline; margin-right: 1rem; }
        """, type: "text/css; charset=utf-8")

    static let script = asset(DashboardScript.source, type: "text/javascript; charset=utf-8")
}
