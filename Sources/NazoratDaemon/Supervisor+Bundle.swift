import NazoratCore
import NazoratStore

extension Supervisor {
    private struct BundlePayload: Encodable {
        var first: Int64
        var last: Int64
        var count: Int
        var by: String
        var peer: Peer
    }

    /// Records that the offline bundle of `manifest` was handed to `peer` (whether it reached
    /// the medium is nazoratctl's to say: the bundle's manifest is written last).
    func bundleExported(_ manifest: OfflineBundle.Manifest, by peer: Peer) async {
        let range = manifest.count == 0 ? "no envelopes" : "envelopes \(manifest.first)–\(manifest.last) (\(manifest.count))"
        await log.record(StoreBatch(drafts: [EventDraft(
            type: .bundleExported, severity: .notice, subject: "outbox",
            message: "offline bundle handed over for export: \(range) (to \(peer.description))",
            payload: JSONText.encode(BundlePayload(first: manifest.first, last: manifest.last, count: manifest.count,
                                                   by: peer.description, peer: peer)),
            time: clock.now())]))
    }
}
