import Yams

/// `fulcrum run --quick`: a small form of a manifest, for CI and smoke tests. It rewrites the YAML
/// before parsing, so the quick form is validated like any manifest. The rules are those of
/// experiments/README.md, "Quick form"; they assume a manifest already found valid.
struct QuickForm {
    static let maximumSteps = 20
    static let maximumTrainSize = 512
    static let maximumEvaluationSize = 256
    static let sweepValues = 2

    private let reading: ManifestProblems
    /// The quick training split and the train section's quick batch, in which epochs are counted.
    private var trainSize = 1
    private var batchSize = 1
    /// The fewest steps any run of the quick form trains: the warm-up, the step schedule and the
    /// evaluation cadence are clamped to fit every run.
    private var fewestSteps = maximumSteps

    /// The quick form of `root`; nil when a rule cannot apply to it (the problems are reported).
    static func transform(_ root: Node, reading: ManifestProblems) -> Node? {
        var form = QuickForm(reading: reading)
        let quick = form.apply(to: root)
        return reading.problems.isEmpty ? quick : nil
    }

    private init(reading: ManifestProblems) { self.reading = reading }

    private mutating func apply(to root: Node) -> Node {
        var root = root
        // A separate experiment in the store, whose report never overwrites the real one.
        if let name = root["name"], let text = name.string {
            root = root.replacing(["name"], with: .scalar(Node.Scalar(text + "-quick", Tag(.str), .plain, name.mark)))
        }
        root = root.replacing(["report", "output"], with: nil)
        if case let .sequence(seeds)? = root["seeds"], let first = seeds.first {
            root = root.replacing(["seeds"], with: .sequence(Node.Sequence([first], seeds.tag, seeds.style, seeds.mark)))
        }

        for key in ["train_size", "val_size", "test_size"] {
            let most = key == "train_size" ? Self.maximumTrainSize : Self.maximumEvaluationSize
            guard let size = clamped(root, ["data", key], to: most) else { continue }
            root = root.replacing(["data", key], with: integer(size, like: root["data"]?[key]))
            if key == "train_size" { trainSize = size }
        }
        batchSize = clamped(root, ["train", "batch_size"], to: trainSize) ?? 1
        fewestSteps = stepCounts(root).min() ?? Self.maximumSteps

        if let train = root["train"] {
            root = root.replacing(["train"], with: rewritingPairs(of: train) { clampTrain($0, $1, path: "train.\($0)") })
        }
        if let sweep = root["sweep"] {
            root = root.replacing(["sweep"], with: rewritingPairs(of: sweep) { quickAxis($0, $1, root: root) })
        }
        for (name, policy) in pairs(root["policies"]) {
            guard let overrides = policy["overrides"] else { continue }
            root = root.replacing(["policies", name, "overrides"], with: rewritingPairs(of: overrides) { key, value in
                guard key.hasPrefix("train.") else { return (key, value) }
                return clampTrain(String(key.dropFirst(6)), value, path: "policies.\(name).overrides.\(key)").map { ("train." + $0.0, $0.1) }
            })
        }
        return root
    }

    /// The quick step counts of every run: the train section's, each swept and each overridden one.
    private func stepCounts(_ root: Node) -> [Int] {
        var values = pairs(root["train"]).map { ("train.\($0.0)", $0.1) }
        for (key, value) in pairs(root["sweep"]) { values += (value.sequence.map(Array.init) ?? []).map { (key, $0) } }
        for policy in root["policies"]?.mapping.map({ Array($0.values) }) ?? [] { values += pairs(policy["overrides"]) }
        return values.compactMap { key, node in
            guard ["train.steps", "train.epochs"].contains(key), let count = node.int else { return nil }
            return quickSteps(String(key.dropFirst(6)), count)
        }
    }

    /// A mapping's pairs with names for keys; none for anything else.
    private func pairs(_ node: Node?) -> [(String, Node)] {
        (node?.mapping.map(Array.init) ?? []).compactMap { pair in pair.key.string.map { ($0, pair.value) } }
    }

    private func quickSteps(_ key: String, _ count: Int) -> Int {
        min(key == "epochs" ? count * max(trainSize / batchSize, 1) : count, Self.maximumSteps)
    }

    /// A train key and value of the quick form (`epochs` become `steps`); nil when the value is not
    /// the integer the rule needs.
    private func clampTrain(_ key: String, _ value: Node, path: String) -> (String, Node)? {
        let rule: ((Int) -> Int)? = switch key {
        case "steps", "epochs": { quickSteps(key, $0) }
        case "batch_size": { min($0, trainSize) }
        case "eval_every": { min($0, fewestSteps) }
        case "warmup_steps": { min($0, fewestSteps / 4) }
        case "step_every": { min($0, max(fewestSteps / 2, 1)) }
        case "record_every": { _ in 1 }
        default: nil
        }
        guard let rule else { return (key, value) }
        guard value.tagName == .int, let count = value.int else {
            reading.report(path, value, "the quick form needs an integer here, to scale it down")
            return nil
        }
        return (key == "epochs" ? "steps" : key, integer(rule(count), like: value))
    }

    /// A sweep axis of the quick form: its first distinct values once clamped, at most `sweepValues`.
    private func quickAxis(_ key: String, _ value: Node, root: Node) -> (String, Node)? {
        if key == "model.task_order", value.string == "permutations" {
            let names = (root["tasks"]?.sequence.map(Array.init) ?? []).compactMap { $0["name"]?.string }
            let orders = SweepSection.permutations(Array(names.indices)).prefix(Self.sweepValues).map { order in
                Node.sequence(Node.Sequence(order.map { .scalar(Node.Scalar(names[$0], Tag(.str), .plain, value.mark)) }, Tag(.seq), .flow, value.mark))
            }
            return (key, .sequence(Node.Sequence(orders, Tag(.seq), .flow, value.mark)))
        }
        guard case let .sequence(items) = value else {
            reading.report("sweep.\(key)", value, "the quick form keeps the first \(Self.sweepValues) values of a list")
            return nil
        }
        var quickKey = key
        var kept: [Node] = []
        for item in items {
            var quick = item
            if key.hasPrefix("train.") {
                guard let clamped = clampTrain(String(key.dropFirst(6)), item, path: "sweep.\(key)") else { return nil }
                (quickKey, quick) = ("train." + clamped.0, clamped.1)
            }
            if !kept.contains(quick) { kept.append(quick) }
        }
        return (quickKey, .sequence(Node.Sequence(Array(kept.prefix(Self.sweepValues)), items.tag, items.style, items.mark)))
    }

    /// `node`'s value at `keys` capped at `most`, nil when absent; a value that is not an integer is reported.
    private func clamped(_ node: Node, _ keys: [String], to most: Int) -> Int? {
        guard let value = keys.reduce(Optional(node), { $0?[$1] }) else { return nil }
        guard value.tagName == .int, let count = value.int else {
            reading.report(keys.joined(separator: "."), value, "the quick form needs an integer here, to scale it down")
            return nil
        }
        return min(count, most)
    }

    private func integer(_ value: Int, like node: Node?) -> Node {
        .scalar(Node.Scalar(String(value), Tag(.implicit), .plain, node?.mark))
    }

    /// A mapping with each pair rewritten (`rewrite` returns nil after reporting a problem).
    private func rewritingPairs(of node: Node, _ rewrite: (String, Node) -> (String, Node)?) -> Node {
        guard case let .mapping(mapping) = node else { return node }
        let pairs = mapping.compactMap { key, value -> (Node, Node)? in
            guard let name = key.string, let (quickName, quick) = rewrite(name, value) else { return (key, value) }
            return (quickName == name ? key : .scalar(Node.Scalar(quickName, Tag(.str), .plain, key.mark)), quick)
        }
        return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
    }
}
