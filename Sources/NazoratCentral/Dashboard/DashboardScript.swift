/// The dashboard's script (served as /dashboard/app.js). Plain JavaScript, no library: it
/// signs in, renders the overview and a station's page from the JSON routes, and redraws on
/// every server-sent overview. It only ever sets text (`textContent`), never markup.
enum DashboardScript {
    static let source = #"""
        "use strict";
        const STATES = ["never-seen", "up", "late", "down", "done", "retired"];
        const $ = (selector) => document.querySelector(selector);
        let me = null, live = null, shown = null;

        function cell(text, className) {
          const td = document.createElement("td");
          td.textContent = text === undefined || text === null ? "" : String(text);
          if (className) td.className = className;
          return td;
        }

        function row(cells) {
          const tr = document.createElement("tr");
          cells.forEach((c) => tr.appendChild(c));
          return tr;
        }

        function header(table, names) {
          const tr = document.createElement("tr");
          names.forEach((name) => { const th = document.createElement("th"); th.textContent = name; tr.appendChild(th); });
          table.tHead.replaceChildren(tr);
        }

        async function api(path, options) {
          const response = await fetch("/dashboard/api/" + path, Object.assign({ credentials: "same-origin" }, options || {}));
          if (response.status === 401) { signedOut(); throw new Error("signed out"); }
          return response;
        }

        function post(path, body) {
          return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        }

        function signedOut() {
          me = null;
          if (live) { live.close(); live = null; }
          $("#login").hidden = false; $("#overview").hidden = true; $("#station").hidden = true; $("#logout").hidden = true;
          $("#who").textContent = "";
        }

        function signedIn(identity) {
          me = identity;
          if (live) live.close();
          document.body.dataset.role = me.role;
          $("#who").textContent = me.account + " (" + me.role + ")";
          $("#login").hidden = true; $("#logout").hidden = false;
          live = new EventSource("/dashboard/api/live");
          live.addEventListener("overview", (event) => {
            $("#live-state").textContent = "(live)";
            drawOverview(JSON.parse(event.data));
            if (shown) loadStation(shown);
          });
          live.addEventListener("unavailable", () => { $("#live-state").textContent = "(central's storage is unavailable)"; });
          live.onerror = () => {
            $("#live-state").textContent = "(reconnecting)";
            // Closed for good (a refusal): signed out, or central is back without this session.
            if (live && live.readyState === EventSource.CLOSED) reconnect();
          };
          navigate();
        }

        // After 5 s: signed in again if the session still holds (else the form), or later again.
        function reconnect() {
          setTimeout(async () => {
            try {
              const response = await api("me");
              if (response.ok) signedIn(await response.json()); else reconnect();
            } catch (error) { /* signed out: the form is shown */ }
          }, 5000);
        }

        function drawOverview(s) {
          // For make bench-central: when the overview was first drawn, since the page began loading.
          if (performance.getEntriesByName("nazorat-overview").length === 0) performance.mark("nazorat-overview");
          $("#generated").textContent = s.generatedAt;
          $("#turnout").textContent = String(s.turnout);
          const national = $("#national");
          header(national, ["Stations"].concat(STATES));
          const counts = row([cell(s.national.total, "number")].concat(STATES.map((state) => {
            const td = cell(s.national.states[state] || 0, "number state-" + state);
            td.dataset.state = state; return td;
          })));
          counts.id = "national-counts";
          national.tBodies[0].replaceChildren(counts);
          const regions = $("#regions");
          header(regions, ["Region", "Stations"].concat(STATES, ["Polls open", "Turnout", "Final reports"]));
          regions.tBodies[0].replaceChildren(...s.regions.map((region) => {
            const tr = row([cell(region.region), cell(region.total, "number")].concat(STATES.map((state) => {
              const td = cell(region.states[state] || 0, "number state-" + state); td.dataset.state = state; return td;
            }), [cell(region.open, "number"), cell(region.turnout, "number"), cell(region.finalReports, "number")]));
            tr.dataset.region = region.region;
            return tr;
          }));
          $("#attention-total").textContent = s.attentionTotal + " station(s)" +
            (s.attentionTotal > s.attention.length ? ", the first " + s.attention.length + " shown" : "");
          $("#attention").tBodies[0].replaceChildren(...s.attention.map((a) => {
            const link = document.createElement("a");
            link.href = "#/station/" + encodeURIComponent(a.station);
            link.textContent = a.station;
            const first = document.createElement("td"); first.appendChild(link);
            const tr = row([first, cell(a.region), cell(a.district), cell(a.name), cell(a.state, "state-" + a.state),
                            cell(a.openAlarms, "number"), cell(a.lastSeen || "never")]);
            tr.dataset.station = a.station;
            return tr;
          }));
        }

        async function loadStation(id) {
          const response = await api("stations/" + encodeURIComponent(id));
          const page = await response.json();
          if (shown !== id) return; // another station was chosen meanwhile
          if (!response.ok) {
            $("#station-title").textContent = page.error.message;
            ["#station-alarms", "#station-counters tbody", "#station-heartbeats tbody", "#station-events tbody"]
              .forEach((selector) => $(selector).replaceChildren());
            return;
          }
          const s = page.station;
          $("#station-title").textContent = s.station + ": " + s.name + " (" + s.region + ", " + s.district + ")";
          $("#station-state").textContent = s.state;
          $("#station-state").className = "state-" + s.state;
          $("#station-phase").textContent = s.phase || "unknown";
          $("#station-seen").textContent = s.lastSeen || "never";
          $("#station-alarms").replaceChildren(...s.openAlarms.map((alarm) => {
            const li = document.createElement("li");
            li.textContent = alarm.kind + " on " + alarm.port + " (" + alarm.severity + ")";
            li.dataset.kind = alarm.kind;
            return li;
          }));
          $("#station-counters").tBodies[0].replaceChildren(...s.counters.map((c) =>
            row([cell(c.port), cell(c.public, "number"), cell(c.protective, "number")])));
          $("#station-heartbeats").tBodies[0].replaceChildren(...page.heartbeats.map((h) =>
            row([cell(h.seq, "number"), cell(h.received), cell(h.phase), cell(h.openAlarms, "number")])));
          $("#station-events").tBodies[0].replaceChildren(...page.events.map((e) =>
            row([cell(e.seq, "number"), cell(e.time), cell(e.type), cell(e.severity), cell(e.message)])));
        }

        function navigate() {
          if (!me) return;
          const match = location.hash.match(/^#\/station\/(.+)$/);
          try { shown = match ? decodeURIComponent(match[1]) : null; } catch (error) { shown = null; }
          $("#overview").hidden = shown !== null;
          $("#station").hidden = shown === null;
          $("#retire-result").textContent = "";
          if (shown) loadStation(shown);
        }

        async function act(path, body, result) {
          const response = await post(path, body);
          const answer = await response.json();
          result.textContent = response.ok ? "done" : answer.error.message;
        }

        document.addEventListener("DOMContentLoaded", async () => {
          $("#login").addEventListener("submit", async (event) => {
            event.preventDefault();
            const response = await fetch("/dashboard/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ name: $("#name").value, password: $("#password").value }) });
            const answer = await response.json();
            if (!response.ok) { $("#login-error").textContent = answer.error.message; return; }
            $("#login-error").textContent = ""; $("#password").value = "";
            signedIn(answer);
          });
          $("#logout").addEventListener("click", async () => { await post("logout", {}); signedOut(); });
          $("#retire").addEventListener("click", () => {
            if (confirm("Retire " + shown + "? Central will refuse its envelopes until it is enrolled again."))
              act("retire", { station: shown }, $("#retire-result"));
          });
          $("#enroll").addEventListener("submit", (event) => {
            event.preventDefault();
            act("enroll", { station: $("#enroll-station").value, publicKey: $("#enroll-key").value }, $("#enroll-result"));
          });
          window.addEventListener("hashchange", navigate);
          try {
            const response = await api("me");
            if (response.ok) signedIn(await response.json());
          } catch (error) { /* signed out: the form is shown */ }
        });
        """#
}
