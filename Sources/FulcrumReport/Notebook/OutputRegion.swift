/// The markers around a block's output, right below the block:
///
///     <!-- fulcrum:output sha256=0123456789abcdef -->
///     …output…
///     <!-- /fulcrum:output -->
///
/// The hash is the first 16 hex digits of the block's input hash (`NotebookInputs`): when it is
/// still the same, the block is not run again. A failed block's region says `failed` instead, so
/// the next run tries it again.
enum OutputRegion {
    static let openingPrefix = "<!-- fulcrum:output"
    static let closing = "<!-- /fulcrum:output -->"
    static let hashLength = 16

    /// The opening marker for output under `hash`; nil: a failed block's.
    static func opening(hash: String?) -> String {
        "\(openingPrefix) \(hash.map { "sha256=" + $0.prefix(hashLength) } ?? "failed") -->"
    }

    /// The hash an opening marker records; nil for a failed block's or one without.
    static func recordedHash(in marker: String) -> String? {
        guard let range = marker.range(of: "sha256=") else { return nil }
        let hash = marker[range.upperBound...].prefix { $0.isHexDigit }
        return hash.isEmpty ? nil : String(hash)
    }

    /// Whether output `lines` hold a marker, which would end or nest the region when read back.
    static func containsMarker(_ lines: [String]) -> Bool {
        lines.contains { $0.contains(openingPrefix) || $0.contains("<!-- /fulcrum:output") }
    }

    /// Output that shows an error in place: a text block whose first line starts with "error:".
    static func errorLines(_ message: String) -> [String] {
        let lines = ("error: " + message).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let fence = MarkdownFence.backticks(enclosing: lines)
        return [fence + "text"] + lines + [fence]
    }
}
