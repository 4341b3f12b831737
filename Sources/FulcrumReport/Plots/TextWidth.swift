/// Text width estimates for layout. SVG has no text measurement before rendering, so margins and legend
/// columns are sized on an average glyph width, set a little wide so laid-out text never collides.
enum TextWidth {
    static let emPerCharacter = 0.6

    static func of(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * emPerCharacter
    }

    /// `text`, cut with an ellipsis where it would be wider than `width`.
    static func truncated(_ text: String, toFit width: Double, fontSize: Double) -> String {
        let fitting = Int(width / (fontSize * emPerCharacter) + 1e-9)   // a column sized for the text fits it
        guard text.count > fitting else { return text }
        guard fitting > 1 else { return fitting == 1 ? "…" : "" }
        return String(text.prefix(fitting - 1)) + "…"
    }
}
