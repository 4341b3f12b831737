import Yams

/// A manifest run as another experiment: renamed, with some of its policies (in a chosen order)
/// and policies added from other scripts — a notebook's inline policies, or `fulcrum run --as
/// --policies`. Like `QuickForm`, it rewrites the YAML before parsing, so the alias is validated
/// like any manifest; it assumes a manifest already found valid.
public struct ExperimentAlias: Sendable, Equatable, CustomStringConvertible {
    /// The experiment's name in the store. Its own name keeps the alias's runs from replacing
    /// the manifest's experiment (a run's id hashes the name), and `report.output` is dropped so
    /// its report never overwrites the manifest's.
    public var name: String
    /// The policies to keep, in this order; nil keeps every policy of the manifest.
    public var policies: [String]?
    /// Scripts of policies the manifest does not have that `policies` may name (a notebook's
    /// inline policies), by name.
    public var addedPolicies: [String: String]
    /// The alias's `report.baseline`; nil keeps the manifest's, which must then be kept.
    public var baseline: String?

    public init(name: String, policies: [String]? = nil, addedPolicies: [String: String] = [:], baseline: String? = nil) {
        self.name = name
        self.policies = policies
        self.addedPolicies = addedPolicies
        self.baseline = baseline
    }

    /// How the alias was asked for, for messages: `--as NAME --policies A,B`.
    public var description: String {
        var text = "--as \(name)"
        if let policies { text += " --policies \(policies.joined(separator: ","))" }
        if let baseline { text += " --baseline \(baseline)" }
        return text
    }

    /// `root` (the YAML of `manifest`, found valid) rewritten as this alias.
    func transform(_ root: Node, of manifest: Manifest) throws -> Node {
        var root = root
        if let name = root["name"] {
            root = root.replacing(["name"], with: .scalar(Node.Scalar(self.name, Tag(.str), .plain, name.mark)))
        }
        root = root.replacing(["report", "output"], with: nil)
        let kept = try keptPolicies(of: manifest)
        if let baseline = baseline ?? manifest.report.baseline, !kept.contains(where: { $0.name == baseline }) {
            let kept = kept.map(\.name).joined(separator: ", ")
            throw ExperimentAliasError(message: self.baseline == nil
                ? "report.baseline '\(baseline)' is not among the kept policies (\(kept)): keep it in --policies or choose another with --baseline"
                : "--baseline \(baseline) is not among the kept policies (\(kept))")
        }
        if let baseline {
            let value = Node.scalar(Node.Scalar(baseline, Tag(.str), .plain, root["report"]?["baseline"]?.mark))
            root = root["report"] == nil
                ? root.replacing(["report"], with: .mapping(Node.Mapping([(.scalar(Node.Scalar("baseline", Tag(.str))), value)])))
                : root.replacing(["report", "baseline"], with: value)
        }
        guard policies != nil, case let .mapping(section)? = root["policies"] else { return root }

        let entries = kept.map { policy -> (Node, Node) in
            if let pair = section.first(where: { $0.key.string == policy.name }) { return pair }
            let script = Node.mapping(Node.Mapping([(.scalar(Node.Scalar("script", Tag(.str))), .scalar(Node.Scalar(policy.script, Tag(.str))))]))
            return (.scalar(Node.Scalar(policy.name, Tag(.str), .plain, section.mark)), script)
        }
        root = root.replacing(["policies"], with: .mapping(Node.Mapping(entries, section.tag, section.style, section.mark)))
        // A dropped policy's swept options go with it.
        if case let .mapping(sweep)? = root["sweep"] {
            let axes = sweep.filter { key, _ in
                let parts = (key.string ?? "").split(separator: ".").map(String.init)
                return parts.first != "policies" || parts.count < 2 || kept.contains { $0.name == parts[1] }
            }
            root = root.replacing(["sweep"], with: axes.isEmpty ? nil : .mapping(Node.Mapping(Array(axes), sweep.tag, sweep.style, sweep.mark)))
        }
        return root
    }

    /// The alias's policies, in order: the manifest's entry or an added script for each name.
    private func keptPolicies(of manifest: Manifest) throws -> [(name: String, script: String)] {
        guard let policies else { return manifest.policies.map { ($0.name, $0.script) } }
        guard !policies.isEmpty else { throw ExperimentAliasError(message: "--policies names no policy") }
        var kept: [(name: String, script: String)] = []
        for name in policies {
            guard !kept.contains(where: { $0.name == name }) else {
                throw ExperimentAliasError(message: "--policies lists '\(name)' twice")
            }
            let own = manifest.policies.first { $0.name == name }
            switch (own, addedPolicies[name]) {
            case let (own?, added?):
                throw ExperimentAliasError(message: "'\(name)' is both a policy of the manifest (\(own.script)) and an inline policy (\(added)); rename the inline one")
            case let (own?, nil): kept.append((name, own.script))
            case let (nil, added?): kept.append((name, added))
            case (nil, nil):
                let inline = addedPolicies.keys.sorted()
                throw ExperimentAliasError(message: "no policy '\(name)' in the manifest (\(manifest.policies.map(\.name).joined(separator: ", "))) "
                                           + "or inline (\(inline.isEmpty ? "none" : inline.joined(separator: ", ")))")
            }
        }
        return kept
    }
}

/// An alias that cannot be made of its manifest: a policy it names is not there, its baseline
/// is dropped. The message says which and what there is.
public struct ExperimentAliasError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}
