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

    /// Records that `peer` exported the outbox as the offline bundle of `manifest`.
    func bundleExported(_ manifest: OfflineBundle.Manifest, by peer: Peer) async {
        let range = manifest.count == 0 ? "no envelopes" : "envelopes \(manifest.first)–\(manifest.last) (\(manifest.count))"
        await log.record(StoreBatch(drafts: [EventDraft(
            type: .bundleExported, severity: .notice, subject: "outbox",
            message: "offline bundle exported: \(range) (by \(peer.description))",
            payload: JSONText.encode(BundlePayload(first: manifest.first, last: manifest.last, count: manifest.count,
                                                   by: peer.description, peer: peer)),
            time: clock.now())]))
    }
}
