/// One thing wrong with a manifest: where (file, line, key path) and what was expected.
public struct ManifestProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let keyPath: String
    public let message: String

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
    }
}

/// A manifest that cannot run, with every problem found (not just the first).
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [ManifestProblem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
