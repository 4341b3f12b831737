import Yams

/// `policies.NAME.overrides`: definition keys (the ones a sweep takes, without policy options) set
/// to one value for that policy's runs only — the DTP paper's "Prioritize Easy (LR Schedule)" or
/// "FL (γ₀=1)" rows, which differ from the others in training or loss rather than in weighting.
struct PolicyOverrides {
    /// The `overrides` mapping, where problems about it as a whole are reported.
    let field: ManifestNode
    let entries: [Entry]

    struct Entry {
        /// `train.schedule`, `tasks.class.gamma0`.
        let path: String
        /// The value, substituted into the definition like a sweep point's.
        let node: Node
        let setting: SweepSetting
    }
}

extension Manifest {
    /// Every policy's `overrides`, by policy name. A key the sweep also varies is refused: the
    /// override would replace every swept value, so the policy's runs at distinct sweep points
    /// would be one run under different labels.
    static func parseOverrides(_ policies: ManifestNode?, taskNames: [String], sweep: SweepSection) -> [String: PolicyOverrides] {
        guard let policies, case .mapping = policies.node, let entries = policies.mapping()?.entries else { return [:] }
        var result: [String: PolicyOverrides] = [:]
        for (name, policy) in entries {
            guard case .mapping = policy.node, let field = policy.mapping()?["overrides"], let mapping = field.mapping() else { continue }
            let parsed = mapping.entries.compactMap { key, value -> PolicyOverrides.Entry? in
                let reading = value.reading
                if let problem = SweepSection.problem(withKey: key, taskNames: taskNames, policyNames: nil) {
                    reading.report(value.path, value.node, problem)
                    return nil
                }
                if sweep.definitionAxes.contains(where: { $0.path == key }) {
                    reading.report(value.path, value.node, "\(key) is also swept (sweep.\(key)); an override would replace every swept value: drop one of the two")
                    return nil
                }
                if key == "model.task_order", value.node.tagName == .str, value.node.string == "permutations" {
                    reading.report(value.path, value.node, "expected one task order (a list of the task names); 'permutations' belongs in the sweep")
                    return nil
                }
                return value.option().map { PolicyOverrides.Entry(path: key, node: value.node, setting: SweepSetting(path: key, value: $0)) }
            }
            if parsed.count == mapping.entries.count, !parsed.isEmpty { result[name] = PolicyOverrides(field: field, entries: parsed) }
        }
        return result
    }

    /// Each overridden policy's definitions: every sweep point with the overrides set after it, parsed
    /// like the manifest's own. A problem at an overridden key is reported at the override's key
    /// path (`policies.P.overrides.train.lr`); one the overrides cause elsewhere says so.
    static func overriddenDefinitions(_ overrides: [String: PolicyOverrides], points: [[(path: String, node: Node, setting: SweepSetting)]],
                                   definition: DefinitionNodes, data: DataSection, taskNames: [String],
                                   reading: ManifestProblems) -> [String: [RunDefinition]] {
        var result: [String: [RunDefinition]] = [:]
        for (policy, overrides) in overrides.sorted(by: { $0.key < $1.key }) {
            // Its own reading: the problems are renamed before they join the manifest's.
            let local = ManifestProblems(file: reading.file)
            let definitions = points.map { point in
                let settings = point.map { ($0.path, $0.node) } + overrides.entries.map { ($0.path, $0.node) }
                return parseDefinition(settings.reduce(definition) { $0.setting($1.0, to: $1.1) }, point: point.map(\.setting),
                                    singleTaskPosition: nil, data: data, reading: local)
            }
            for problem in local.problems where !reading.problems.contains(problem) {
                reading.record(renamed(problem, policy: policy, overrides: overrides, taskNames: taskNames))
            }
            let parsed = definitions.compactMap { $0 }
            guard parsed.count == definitions.count else { continue }
            if Set(parsed.map(\.definitionHash)).count != parsed.count {
                reading.report(overrides.field.path, overrides.field.node,
                               "with these overrides, distinct sweep points train the same runs: an override makes a swept key irrelevant")
                continue
            }
            result[policy] = parsed
        }
        return result
    }

    /// `problem` under the key path of the override it is about (task keys are parsed as
    /// `tasks[i].KEY`), or marked as caused by the policy's overrides.
    private static func renamed(_ problem: ManifestProblem, policy: String, overrides: PolicyOverrides, taskNames: [String]) -> ManifestProblem {
        for entry in overrides.entries {
            var parsedPath = entry.path
            let parts = entry.path.split(separator: ".").map(String.init)
            if parts[0] == "tasks", let index = taskNames.firstIndex(of: parts[1]) { parsedPath = "tasks[\(index)].\(parts[2])" }
            let path = problem.keyPath
            if path == parsedPath || path.hasPrefix(parsedPath + ".") || path.hasPrefix(parsedPath + "[") {
                return ManifestProblem(file: problem.file, line: problem.line, keyPath: "policies.\(policy).overrides.\(entry.path)" + path.dropFirst(parsedPath.count),
                                       message: problem.message)
            }
        }
        return ManifestProblem(file: problem.file, line: problem.line, keyPath: problem.keyPath,
                               message: problem.message + " (with the overrides of policy '\(policy)')")
    }
}
