/// One line of a notebook's bytes. The notebook is read as bytes, not text, so that every byte
/// outside the regions it rewrites — CRLF, trailing spaces, a missing final newline — survives.
struct MarkdownLine {
    let start: Int
    /// Where the content ends: before `\n` or `\r\n`.
    let contentEnd: Int
    /// After the terminator (`contentEnd` on a last line without one).
    let end: Int

    var hasTerminator: Bool { end > contentEnd }

    /// The lines of `bytes`, terminators kept with the line they end.
    static func lines(of bytes: [UInt8]) -> [MarkdownLine] {
        var lines: [MarkdownLine] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let contentEnd = index > start && bytes[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
            lines.append(MarkdownLine(start: start, contentEnd: contentEnd, end: index + 1))
            start = index + 1
        }
        if start < bytes.count { lines.append(MarkdownLine(start: start, contentEnd: bytes.count, end: bytes.count)) }
        return lines
    }
}

/// A CommonMark code fence: at most three spaces of indentation, then three or more backticks or
/// tildes, then the info string. It is closed by a line of the same character, at least as many,
/// and nothing else — so a ```` ```fulcrum ```` line inside a four-backtick fence is content.
struct MarkdownFence {
    let character: UInt8
    let length: Int
    /// The info string, trimmed: `fulcrum`, `lua policy=mine`, `text`, or empty.
    let info: String

    /// The fence `content` opens, nil when it is not a fence line.
    static func opening(_ content: ArraySlice<UInt8>) -> MarkdownFence? {
        guard let (character, length, rest) = run(content) else { return nil }
        // A backtick fence's info string cannot hold a backtick (it would be inline code).
        if character == UInt8(ascii: "`"), rest.contains(character) { return nil }
        return MarkdownFence(character: character, length: length, info: String(decoding: trimmed(rest), as: UTF8.self))
    }

    /// Whether `content` closes this fence.
    func isClosed(by content: ArraySlice<UInt8>) -> Bool {
        guard let (character, length, rest) = Self.run(content) else { return false }
        return character == self.character && length >= self.length && Self.trimmed(rest).isEmpty
    }

    /// The fence character, its count and what follows, for a line that starts like a fence.
    private static func run(_ content: ArraySlice<UInt8>) -> (UInt8, Int, ArraySlice<UInt8>)? {
        let indent = content.prefix { $0 == UInt8(ascii: " ") }.count
        guard indent <= 3 else { return nil }
        let body = content.dropFirst(indent)
        guard let character = body.first, character == UInt8(ascii: "`") || character == UInt8(ascii: "~") else { return nil }
        let length = body.prefix { $0 == character }.count
        guard length >= 3 else { return nil }
        return (character, length, body.dropFirst(length))
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }

    /// A fence for `lines` of text: backticks, longer than any run of backticks inside.
    static func backticks(enclosing lines: [String]) -> String {
        var longest = 0
        for line in lines {
            var run = 0
            for character in line.utf8 {
                run = character == UInt8(ascii: "`") ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }
}
