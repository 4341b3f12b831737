import FulcrumCore
import Yams

/// Collects the problems found while reading one manifest, so all of them are reported at once.
final class ManifestProblems {
    let file: String
    private(set) var problems: [ManifestProblem] = []

    init(file: String) { self.file = file }

    /// Records a problem once: every definition of a sweep parses the same sections, and a problem in
    /// a part the sweep does not touch would otherwise be reported once per definition.
    func report(_ keyPath: String, _ node: Node?, _ message: String) {
        record(ManifestProblem(file: file, line: node?.mark?.line, keyPath: keyPath, message: message))
    }

    /// Records a problem found by another reading (a policy's overrides are parsed in their own), once.
    func record(_ problem: ManifestProblem) {
        if !problems.contains(problem) { problems.append(problem) }
    }
}

/// A YAML node with its key path (`tasks[2].loss`), read with typed accessors that report what was
/// expected and return nil on a mismatch.
struct ManifestNode {
    let node: Node
    let path: String
    let reading: ManifestProblems

    private func child(_ key: String, _ node: Node) -> ManifestNode {
        ManifestNode(node: node, path: path.isEmpty ? key : "\(path).\(key)", reading: reading)
    }

    private func expected(_ what: String) {
        reading.report(path, node, "expected \(what), got \(describe(node))")
    }

    /// A mapping whose keys must all be in `allowed`; the keys in file order.
    func mapping(allowed: [String]? = nil) -> ManifestMapping? {
        guard case let .mapping(mapping) = node else { expected("a mapping"); return nil }
        var entries: [(key: String, value: ManifestNode)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string, keyNode.tagName == .str else {
                reading.report(path, keyNode, "keys must be names, got \(describe(keyNode))")
                continue
            }
            if let allowed, !allowed.contains(key) {
                reading.report(path.isEmpty ? key : "\(path).\(key)", keyNode,
                               "unknown key '\(key)'; expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            entries.append((key, child(key, value)))
        }
        return ManifestMapping(entries: entries, owner: self)
    }

    func list() -> [ManifestNode]? {
        guard case let .sequence(sequence) = node else { expected("a list"); return nil }
        return sequence.enumerated().map { ManifestNode(node: $1, path: "\(path)[\($0)]", reading: reading) }
    }

    func string() -> String? {
        guard case .scalar = node, node.tagName == .str, let value = node.string else { expected("a string"); return nil }
        return value
    }

    func integer(atLeast minimum: Int) -> Int? {
        guard node.tagName == .int, let value = node.int else { expected("an integer ≥ \(minimum)"); return nil }
        guard value >= minimum else { expected("an integer ≥ \(minimum)"); return nil }
        return value
    }

    func number(in range: ClosedRange<Double>, _ description: String) -> Double? {
        guard node.tagName == .int || node.tagName == .float, let value = node.float, value.isFinite else {
            expected(description); return nil
        }
        guard range.contains(value) else { expected(description); return nil }
        return value
    }

    func boolean() -> Bool? {
        guard node.tagName == .bool, let value = node.bool else { expected("true or false"); return nil }
        return value
    }

    func choice(_ choices: [String]) -> String? {
        let expectation = "one of: " + choices.joined(separator: ", ")
        guard node.tagName == .str, let value = node.string else { expected(expectation); return nil }
        guard choices.contains(value) else { expected(expectation); return nil }
        return value
    }

    /// A policy option: a number, boolean, string, or list of those.
    func option() -> SettingValue? {
        switch node.tagName {
        case .int, .float: if let value = node.float, value.isFinite { return .number(value) }
        case .bool: if let value = node.bool { return .boolean(value) }
        case .str: if let value = node.string { return .string(value) }
        default:
            if case let .sequence(sequence) = node {
                let values = sequence.enumerated().map { ManifestNode(node: $1, path: "\(path)[\($0)]", reading: reading).option() }
                return values.contains(where: { $0 == nil }) ? nil : .list(values.compactMap { $0 })
            }
        }
        expected("a number, boolean, string or list of those")
        return nil
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            let text = node.string ?? ""
            if node.tagName == .null { return "nothing" }
            return "'\(text)'"
        }
    }
}

/// The entries of a mapping, looked up by key; a missing required key is reported.
struct ManifestMapping {
    let entries: [(key: String, value: ManifestNode)]
    let owner: ManifestNode

    subscript(key: String) -> ManifestNode? { entries.first { $0.key == key }?.value }

    /// The value of an optional key as `read` gives it, `fallback` when the key is absent, and nil
    /// when it is present but invalid (the problem is reported).
    func optional<Value>(_ key: String, default fallback: Value, _ read: (ManifestNode) -> Value?) -> Value? {
        guard let node = self[key] else { return fallback }
        return read(node)
    }

    func required(_ key: String) -> ManifestNode? {
        guard let value = self[key] else {
            owner.reading.report(owner.path.isEmpty ? key : "\(owner.path).\(key)", owner.node, "missing required key '\(key)'")
            return nil
        }
        return value
    }
}

extension Node {
    /// The resolved YAML tag (str, int, float, bool, null, …) of this node.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
