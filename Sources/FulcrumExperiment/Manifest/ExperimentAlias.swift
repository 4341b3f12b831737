import Foundation
import FulcrumLua

/// A manifest run as another experiment: renamed, with some of its policies (in a chosen order)
/// and policies added from other scripts — a notebook's inline policies, or `fulcrum run --as
/// --policies`. A typed transform of the parsed manifest (`apply`); it assumes a manifest already
/// found valid.
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

    /// `manifest` (found valid) as this alias: renamed (`NAME-quick` for a quick form), without
    /// `report.output`, with the kept policies in their order — the manifest's entries as they are
    /// (options, sweeps, overrides), an added script with its defaults — and the baseline. The run
    /// definitions are the manifest's own, so a kept policy's runs keep their definition hashes.
    func apply(to manifest: Manifest, quick: Bool, declarations: PolicyDeclarations) throws -> Manifest {
        let name = quick ? "\(self.name)-quick" : self.name
        guard self.name.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) != nil else {
            throw ExperimentAliasError(message: "--as: expected a name of letters, digits, '_', '-' or '.', got '\(self.name)'")
        }
        let kept = try keptPolicies(of: manifest)
        if let baseline = baseline ?? manifest.report.baseline, !kept.contains(where: { $0.name == baseline }) {
            let names = kept.map(\.name).joined(separator: ", ")
            throw ExperimentAliasError(message: self.baseline == nil
                ? "report.baseline '\(baseline)' is not among the kept policies (\(names)): keep it in --policies or choose another with --baseline"
                : "--baseline \(baseline) is not among the kept policies (\(names))")
        }
        var alias = manifest
        alias.name = name
        alias.report = Manifest.ReportSection(baseline: baseline ?? manifest.report.baseline, output: nil, difficulty: manifest.report.difficulty)
        alias.policies = try kept.map { name, script in
            if let own = manifest.policies.first(where: { $0.name == name }) { return own }
            guard FileManager.default.fileExists(atPath: script) else {
                throw ExperimentAliasError(message: "no policy file at \(script) for '\(name)'")
            }
            let declaration = declarations.of(script)
            var entry = Manifest.PolicyEntry(name: name, script: script, options: [:], limits: LuaLimits(), scriptHash: declaration.hash)
            entry.defaults = declaration.defaults ?? [:]
            return entry
        }
        return alias
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
            case (nil, _) where name == ExperimentRunner.singleTaskPolicy:
                throw ExperimentAliasError(message: "'\(name)' names the single-task baselines in the store; give the inline policy another name")
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
