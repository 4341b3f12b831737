/// Hand-written notes inside a generated report: the block between the two markers survives
/// `fulcrum report` rewriting the file, so the interpretation of the results stays beside them.
///
/// The block sits before the first section ("## …"); write it there once, by hand, and regenerate.
public enum ReportNotes {
    public static let start = "<!-- fulcrum:notes -->"
    public static let end = "<!-- /fulcrum:notes -->"

    /// The notes block of `text`, markers included; nil without a complete one.
    public static func extract(from text: String) -> String? {
        guard let open = text.range(of: start), let close = text.range(of: end, range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[open.lowerBound..<close.upperBound])
    }

    /// `markdown` with `notes` and a blank line inserted before its first section heading (at the
    /// end if it has none).
    public static func insert(_ notes: String, into markdown: String) -> String {
        var lines = markdown.components(separatedBy: "\n")
        let at = lines.firstIndex { $0.hasPrefix("## ") } ?? lines.count
        lines.insert(contentsOf: [notes, ""], at: at)
        return lines.joined(separator: "\n")
    }
}
