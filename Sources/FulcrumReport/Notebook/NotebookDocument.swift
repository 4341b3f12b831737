import Foundation

/// A Markdown notebook as `fulcrum notebook` reads it: its ```` ```fulcrum ```` blocks, each with
/// the output region below it, and its ```` ```lua policy=NAME ```` inline policies. Every other
/// byte is prose and is never changed; only the regions are rewritten.
public struct NotebookDocument: Sendable {
    public let file: String
    public let bytes: [UInt8]
    public let blocks: [NotebookBlock]
    public let inlinePolicies: [InlinePolicy]

    /// Reads the notebook's `bytes`; `file` names it in errors. Throws when a block or its region
    /// is not closed, or an inline policy's fence is malformed.
    public init(file: String, bytes: [UInt8]) throws {
        self.file = file
        self.bytes = bytes
        let lines = MarkdownLine.lines(of: bytes)
        let fileLineEnding = lines.first.map { String(decoding: bytes[$0.contentEnd..<$0.end], as: UTF8.self) } ?? ""
        func content(_ index: Int) -> ArraySlice<UInt8> { bytes[lines[index].start..<lines[index].contentEnd] }
        func text(_ index: Int) -> String { String(decoding: MarkdownFence.trimmed(content(index)), as: UTF8.self) }
        func problem(_ index: Int, _ message: String) -> NotebookError { NotebookError(file: file, line: index + 1, message: message) }

        var blocks: [NotebookBlock] = [], policies: [InlinePolicy] = []
        var index = 0
        while index < lines.count {
            guard let fence = MarkdownFence.opening(content(index)) else { index += 1; continue }
            let opening = index
            let closing = (opening + 1..<lines.count).first { fence.isClosed(by: content($0)) }
            let words = fence.info.split(whereSeparator: \.isWhitespace).map(String.init)
            let kind = try Self.kind(of: words, at: opening, problem: problem)
            guard let kind else { index = (closing ?? lines.count) + 1; continue }
            guard let closing else {
                throw problem(opening, "this \(fence.info) block is not closed: add a closing fence \(String(repeating: Character(UnicodeScalar(fence.character)), count: fence.length))")
            }
            index = closing + 1

            switch kind {
            case let .policy(name):
                if let earlier = policies.first(where: { $0.name == name }) {
                    throw problem(opening, "a second inline policy '\(name)' (the first is at line \(earlier.line))")
                }
                let source = lines[opening].end < lines[closing].start ? Array(bytes[lines[opening].end..<lines[closing].start]) : []
                policies.append(InlinePolicy(name: name, line: opening + 1, source: source))
            case .commands:
                let commands = (opening + 1..<closing).compactMap { line -> NotebookBlock.Command? in
                    let command = text(line)
                    return command.isEmpty || command.hasPrefix("#") ? nil : NotebookBlock.Command(line: line + 1, text: command)
                }
                let fenceEnd = lines[closing]
                var region = fenceEnd.end..<fenceEnd.end, recordedHash: String?, hasRegion = false
                // The region is the first thing after the block other than blank lines.
                var next = closing + 1
                while next < lines.count, text(next).isEmpty { next += 1 }
                if next < lines.count, text(next).hasPrefix(OutputRegion.openingPrefix) {
                    guard let end = (next + 1..<lines.count).first(where: { text($0) == OutputRegion.closing }) else {
                        throw problem(next, "this output region is not closed: its closing marker line is missing (delete the opening marker to start afresh)")
                    }
                    region = fenceEnd.end..<lines[end].contentEnd
                    recordedHash = OutputRegion.recordedHash(in: text(next))
                    hasRegion = true
                    index = end + 1
                }
                let lineEnding = fenceEnd.hasTerminator ? String(decoding: bytes[fenceEnd.contentEnd..<fenceEnd.end], as: UTF8.self) : fileLineEnding
                blocks.append(NotebookBlock(number: blocks.count + 1, line: opening + 1, commands: commands, recordedHash: recordedHash,
                                            region: region, hasRegion: hasRegion, endsFile: !fenceEnd.hasTerminator,
                                            lineEnding: lineEnding.isEmpty ? "\n" : lineEnding))
            }
        }
        self.blocks = blocks
        inlinePolicies = policies
    }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotebookError(file: path, line: nil, message: "cannot read the notebook: no such file or not readable")
        }
        try self.init(file: path, bytes: [UInt8](data))
    }

    private enum Kind { case commands, policy(String) }

    /// What a fence's info string makes of the block: commands (`fulcrum`), an inline policy
    /// (`lua policy=NAME`), or prose (nil).
    private static func kind(of words: [String], at line: Int, problem: (Int, String) -> NotebookError) throws -> Kind? {
        switch words.first {
        case "fulcrum":
            guard words.count == 1 else { throw problem(line, "a fulcrum block's fence takes nothing after `fulcrum`, got '\(words.dropFirst().joined(separator: " "))'") }
            return .commands
        case "lua":
            let attributes = words.dropFirst()
            guard let policy = attributes.first(where: { $0.hasPrefix("policy=") }) else { return nil }
            if let other = attributes.first(where: { !$0.hasPrefix("policy=") }) {
                throw problem(line, "unknown attribute '\(other)' of an inline policy; expected ```lua policy=NAME")
            }
            let name = String(policy.dropFirst("policy=".count))
            guard name.range(of: "^[A-Za-z0-9_][A-Za-z0-9_-]*$", options: .regularExpression) != nil, attributes.count == 1 else {
                throw problem(line, "an inline policy needs one name of letters, digits, '_' or '-': ```lua policy=NAME, got '\(attributes.joined(separator: " "))'")
            }
            return .policy(name)
        default:
            return nil
        }
    }

    /// The notebook with `block`'s output region holding `output` under a marker of `hash` (nil:
    /// the block failed), inserted below the block if it has none yet.
    public func replacingOutput(of block: NotebookBlock, hash: String?, output: [String]) -> [UInt8] {
        let eol = block.lineEnding
        var region = block.endsFile ? eol : ""
        region += eol + OutputRegion.opening(hash: hash) + eol
        for line in output.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false) { region += line + eol }
        region += OutputRegion.closing
        if !block.hasRegion { region += eol }
        var bytes = self.bytes
        bytes.replaceSubrange(block.region, with: Array(region.utf8))
        return bytes
    }
}

/// A ```` ```fulcrum ```` block: commands, one a line (blank lines and `#` comments skipped).
public struct NotebookBlock: Sendable, Equatable {
    public struct Command: Sendable, Equatable {
        /// 1-based line in the notebook.
        public let line: Int
        /// Trimmed of surrounding spaces.
        public let text: String
    }

    /// 1-based, in file order.
    public let number: Int
    /// 1-based line of the opening fence.
    public let line: Int
    public let commands: [Command]
    /// The hash the region's marker records; nil without a region or after a failure.
    public let recordedHash: String?
    /// The bytes of the region, from the end of the closing fence's line to the end of the closing
    /// marker (without its line break); empty, at the end of that line, when there is none yet.
    let region: Range<Int>
    let hasRegion: Bool
    /// The block's closing fence is the file's last line, without a line break.
    let endsFile: Bool
    /// `\n` or `\r\n`, as the block's closing fence ends: the region is written with the same.
    let lineEnding: String
}

/// A ```` ```lua policy=NAME ```` block: a policy written into the notebook, saved beside it as a
/// file (`NotebookPaths.policyFile`) so runs reference a real script.
public struct InlinePolicy: Sendable, Equatable {
    public let name: String
    /// 1-based line of the opening fence.
    public let line: Int
    /// The bytes between the fences, exactly.
    public let source: [UInt8]
}
