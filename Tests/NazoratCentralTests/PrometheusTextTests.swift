@testable import NazoratCentral
import Testing

/// The exposition format as /metrics writes it: labels escaped once, values as Prometheus reads them.
@Suite struct PrometheusTextTests {
    @Test func labelValuesAreEscapedAndPlainOnesKeptAsTheyAre() {
        #expect(PrometheusLabels.escape("Toshkent shahri") == "Toshkent shahri")
        #expect(PrometheusLabels.escape(#"a\b"c"#) == #"a\\b\"c"#)
        #expect(PrometheusLabels.escape("two\nlines") == #"two\nlines"#)
        #expect(PrometheusLabels.escape("Farg'ona \u{1B}[2J") == "Farg'ona \u{1B}[2J", "only what the format names is escaped")
    }

    @Test func aStationsLabelsServeEachOfItsFamilies() {
        let station = PrometheusLabels(["station": "ST-1", "region": #"Region "0""#])
        var out = PrometheusText()
        out.gauge("a", "A.", [(station, 1)])
        out.gauge("b", "B.", [(station.adding("state", "up"), 0.5), (PrometheusLabels(), 3)])
        out.gauge("c", "C.", .infinity)
        #expect(out.text == """
            # HELP a A.
            # TYPE a gauge
            a{station="ST-1",region="Region \\"0\\""} 1
            # HELP b B.
            # TYPE b gauge
            b{station="ST-1",region="Region \\"0\\"",state="up"} 0.5
            b 3
            # HELP c C.
            # TYPE c gauge
            c +Inf

            """)
        #expect(!station.adding("state", "up").rendered.isEmpty && station.rendered == #"station="ST-1",region="Region \"0\"""#,
                "adding makes new labels and leaves the station's as they were")
    }
}
