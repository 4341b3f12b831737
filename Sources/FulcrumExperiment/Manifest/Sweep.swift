import FulcrumCore
import Yams

/// The `sweep` section: key paths → the values to try. Runs take the cartesian product, the first
/// key varying slowest. Keys under `policies.NAME.options` multiply that policy's runs only; keys
/// under `tasks`, `model` and `train` multiply every policy's runs.
struct SweepSection {
    /// One swept key: its values as YAML nodes (substituted into the manifest) and as settings.
    struct Axis {
        let path: String
        let nodes: [Node]
        let settings: [SweepSetting]
    }

    var definitionAxes: [Axis] = []
    var policyAxes: [String: [Axis]] = [:]

    /// Task keys that may be swept: those that change neither the data's targets nor the heads.
    static let taskKeys = ["loss", "gamma0", "tolerance", "noise", "beta", "threshold"]
    /// Every task order of at most this many tasks (8! = 40 320 orders).
    static let maximumPermutedTasks = 8

    static func parse(_ node: ManifestNode, taskNames: [String], policyNames: [String]) -> SweepSection? {
        guard let entries = node.mapping()?.entries else { return nil }
        var section = SweepSection()
        var valid = true
        for (key, value) in entries {
            guard let axis = parseAxis(key, value, taskNames: taskNames, policyNames: policyNames) else { valid = false; continue }
            let parts = key.split(separator: ".").map(String.init)
            if parts[0] == "policies" { section.policyAxes[parts[1], default: []].append(axis) } else { section.definitionAxes.append(axis) }
        }
        return valid ? section : nil
    }

    /// Why `key` cannot be swept, nil when it can. `policyNames` is nil for a policy's `overrides`,
    /// which take the same definition keys but no policy options (those go under its `options`).
    static func problem(withKey key: String, taskNames: [String], policyNames: [String]?) -> String? {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let (verb, runs) = policyNames == nil ? ("overridden", "manifest") : ("swept", "sweep")
        switch parts[0] {
        case "model" where parts.count == 2:
            guard Manifest.modelKeys.contains(parts[1]) else { return "model has no key '\(parts[1])'; expected one of: \(Manifest.modelKeys.joined(separator: ", "))" }
        case "train" where parts.count == 2:
            guard parts[1] != "threads" else { return "train.threads cannot be \(verb): every run of a \(runs) shares the BLAS thread count" }
            guard Manifest.trainKeys.contains(parts[1]) else { return "train has no key '\(parts[1])'; expected one of: \(Manifest.trainKeys.joined(separator: ", "))" }
        case "tasks" where parts.count == 3:
            guard taskNames.contains(parts[1]) else { return "no task '\(parts[1])'; tasks: \(taskNames.joined(separator: ", "))" }
            guard taskKeys.contains(parts[2]) else {
                return "a task's '\(parts[2])' cannot be \(verb); \(policyNames == nil ? "overridable" : "sweepable") task keys: \(taskKeys.joined(separator: ", "))"
            }
        case "policies" where parts.count == 4 && parts[2] == "options" && policyNames != nil:
            let names = policyNames ?? []
            guard names.contains(parts[1]) else { return "no policy '\(parts[1])'; policies: \(names.joined(separator: ", "))" }
        case "data":
            return "data cannot be \(verb): every run of a manifest shares its data (write one manifest per dataset)"
        case "seeds":
            return "seeds are not \(verb): list them under 'seeds'"
        default:
            return policyNames == nil
                ? "expected a key path model.KEY, train.KEY or tasks.TASK.KEY (the policy's own options go under its 'options')"
                : "expected a key path model.KEY, train.KEY, tasks.TASK.KEY or policies.POLICY.options.OPTION"
        }
        return nil
    }

    private static func parseAxis(_ key: String, _ value: ManifestNode, taskNames: [String], policyNames: [String]) -> Axis? {
        let reading = value.reading
        func reject(_ message: String) -> Axis? {
            reading.report(value.path, value.node, message)
            return nil
        }
        if let problem = problem(withKey: key, taskNames: taskNames, policyNames: policyNames) { return reject(problem) }

        if key == "model.task_order", value.node.tagName == .str, value.node.string == "permutations" {
            return permutations(of: taskNames, path: key, at: value)
        }
        guard let items = value.list() else { return nil }
        guard !items.isEmpty else { return reject("expected at least one value") }
        let options = items.map { $0.option() }
        guard !options.contains(where: { $0 == nil }) else { return nil }
        let settings = options.compactMap { $0 }.map { SweepSetting(path: key, value: $0) }
        guard Set(settings).count == settings.count else { return reject("the values of a swept key must be distinct") }
        return Axis(path: key, nodes: items.map(\.node), settings: settings)
    }

    /// `model.task_order: permutations`: all T! orders, in lexicographic order of task positions.
    private static func permutations(of names: [String], path: String, at value: ManifestNode) -> Axis? {
        guard names.count <= maximumPermutedTasks else {
            value.reading.report(value.path, value.node,
                                 "all orders of \(names.count) tasks are too many runs; list the orders to try (at most \(maximumPermutedTasks) tasks for 'permutations')")
            return nil
        }
        let orders = permutations(Array(names.indices))
        let mark = value.node.mark
        let nodes = orders.map { order in
            Node.sequence(Node.Sequence(order.map { Node.scalar(Node.Scalar(names[$0], Tag(.str), .any, mark)) }, Tag(.seq), .flow, mark))
        }
        let settings = orders.map { SweepSetting(path: path, value: .list($0.map { .string(names[$0]) })) }
        return Axis(path: path, nodes: nodes, settings: settings)
    }

    /// Every order of `items`, in lexicographic order of their positions.
    static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// Every combination of one value per axis, the first axis varying slowest; one empty point
    /// when there are no axes.
    static func points(_ axes: [Axis]) -> [[(path: String, node: Node, setting: SweepSetting)]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { point in zip(axis.nodes, axis.settings).map { point + [(axis.path, $0, $1)] } }
        }
    }
}

extension Node {
    /// This node with the value at `keys` replaced by `value` (added if absent, removed if nil).
    /// A key applied to a list selects the item whose `name` is the key (`tasks.seg.gamma0`).
    func replacing(_ keys: ArraySlice<String>, with value: Node?) -> Node {
        guard let key = keys.first else { return value ?? self }
        let rest = keys.dropFirst()
        switch self {
        case let .mapping(mapping):
            var pairs = mapping.map { ($0.key, $0.value) }
            if let index = pairs.firstIndex(where: { $0.0.string == key }) {
                if rest.isEmpty, value == nil { pairs.remove(at: index) } else { pairs[index].1 = pairs[index].1.replacing(rest, with: value) }
            } else if rest.isEmpty, let value {
                pairs.append((Node.scalar(Node.Scalar(key, Tag(.str))), value))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case let .sequence(sequence):
            let nodes = sequence.map { item in item.mapping?.first(where: { $0.key.string == "name" })?.value.string == key ? item.replacing(rest, with: value) : item }
            return .sequence(Node.Sequence(nodes, sequence.tag, sequence.style, sequence.mark))
        default:
            return self
        }
    }
}
