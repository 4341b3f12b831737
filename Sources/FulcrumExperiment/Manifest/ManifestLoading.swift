import Foundation
import FulcrumCore
import FulcrumLua
import Yams

extension Manifest {
    public static let topLevelKeys = ["name", "description", "data", "tasks", "model", "train", "seeds", "policies", "sweep", "baselines", "report"]

    /// Reads and validates the manifest at `path` (relative paths inside it are relative to the
    /// working directory, the repository root). Throws a `ManifestError` listing every problem.
    /// `quick`: its quick form (`QuickForm`), once the manifest itself is found valid; `alias`:
    /// the manifest (or its quick form) as another experiment (`ExperimentAlias`).
    public static func load(_ path: String, quick: Bool = false, as alias: ExperimentAlias? = nil) throws -> Manifest {
        let reading = ManifestProblems(file: path)
        guard let bytes = FileManager.default.contents(atPath: path) else {
            reading.report("", nil, "cannot read the manifest: no such file or not readable")
            throw ManifestError(problems: reading.problems)
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            reading.report("", nil, "the manifest is not UTF-8 text")
            throw ManifestError(problems: reading.problems)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            reading.report("", nil, "not valid YAML: \(error)")
            throw ManifestError(problems: reading.problems)
        }
        guard let root else {
            reading.report("", nil, "the manifest is empty")
            throw ManifestError(problems: reading.problems)
        }
        let hash = SHA256.hexDigest(bytes)
        let declarations = PolicyDeclarations()
        let manifest = try parsed(root, file: path, hash: hash, reading: reading, declarations: declarations)
        let form = quick ? QuickForm.apply(to: manifest) : manifest
        return try alias.map { try $0.apply(to: form, quick: quick, declarations: declarations) } ?? form
    }

    /// The manifest `root` describes, or every problem found, in file order whichever section found them.
    private static func parsed(_ root: Node, file: String, hash: String, reading: ManifestProblems,
                               declarations: PolicyDeclarations) throws -> Manifest {
        let manifest = parse(ManifestNode(node: root, path: "", reading: reading), file: file, hash: hash, declarations: declarations)
        guard let manifest, reading.problems.isEmpty else {
            let ordered = reading.problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            throw ManifestError(problems: ordered.map(\.element))
        }
        return manifest
    }

    private static func parse(_ root: ManifestNode, file: String, hash: String, declarations: PolicyDeclarations) -> Manifest? {
        guard let top = root.mapping(allowed: topLevelKeys) else { return nil }
        let reading = root.reading
        let name = top.required("name")?.string()
        if let name, name.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) == nil {
            reading.report("name", top["name"]?.node, "expected a name of letters, digits, '_', '-' or '.', got '\(name)'")
        }
        let description = top["description"]?.string() ?? ""
        let data = top.required("data").flatMap(parseData)
        let seeds = top.required("seeds").flatMap(parseSeeds)
        var policies = top.required("policies").flatMap { parsePolicies($0, declarations: declarations) }
        let report = parseReport(top["report"], policies: policies ?? [], taskNames: top["tasks"].map(rawTaskNames) ?? [])
        let singleTask = top["baselines"].map { $0.choice(["single_task"]) != nil } ?? false
        _ = top.required("tasks"); _ = top.required("model"); _ = top.required("train")

        let taskNames = top["tasks"].map(rawTaskNames) ?? []
        var sweep = SweepSection()
        if let field = top["sweep"] {
            guard let parsed = SweepSection.parse(field, taskNames: taskNames, policyNames: policies?.map(\.name) ?? []) else { return nil }
            sweep = parsed
        }
        let overrides = parseOverrides(top["policies"], taskNames: taskNames, sweep: sweep)
        if let entries = policies {
            policies = entries.map { policy in
                var policy = policy
                policy.optionPoints = SweepSection.points(sweep.policyAxes[policy.name] ?? []).map { $0.map(\.setting) }
                policy.overrides = overrides[policy.name]?.entries.map(\.setting) ?? []
                for axis in sweep.policyAxes[policy.name] ?? [] { checkSweptOptions(axis, of: policy, declarations: declarations, reading: reading) }
                return policy
            }
        }

        // Counted before expanding: a typo should not parse a million definitions first.
        let optionPoints = policies?.map(\.optionPoints.count).reduce(0, +) ?? 1
        let definitionCount = sweep.definitionAxes.map(\.settings.count).reduce(1, *)
        let runs = optionPoints * definitionCount * (seeds?.count ?? 1)
        if runs > maximumRuns {
            reading.report("sweep", top["sweep"]?.node, "the manifest expands to \(runs) runs, more than \(maximumRuns); sweep fewer values")
            return nil
        }
        guard let data, let sections = DefinitionNodes(top) else { return nil }
        let points = SweepSection.points(sweep.definitionAxes)
        let definitions = points.map { point in
            parseDefinition(point.reduce(sections) { $0.setting($1.path, to: $1.node) }, point: point.map(\.setting),
                         singleTaskPosition: nil, data: data, reading: reading)
        }
        let overridden = overriddenDefinitions(overrides, points: points, definition: sections, data: data, taskNames: taskNames, reading: reading)
        var baselines: [Manifest.RunDefinition] = []
        if singleTask {
            var seen: Set<String> = []
            for (point, definition) in zip(points, definitions) {
                guard let definition else { continue }
                for (position, task) in definition.tasks.enumerated() {
                    // A single task has no order and needs no hierarchy: the baseline is the same
                    // trunk with one head, whatever the definition's architecture.
                    let settings = point.filter { $0.setting.key != .taskOrder }
                    let nodes = settings.reduce(sections) { $0.setting($1.path, to: $1.node) }.singleTask(task.spec.name)
                    if var baseline = parseDefinition(nodes, point: settings.map(\.setting), singleTaskPosition: position, data: data, reading: reading),
                       seen.insert(baseline.definitionHash).inserted {
                        baseline.dataTasks = definition.tasks
                        baselines.append(baseline)
                    }
                }
            }
        }
        guard let name, let seeds, let policies, let report, !definitions.contains(where: { $0 == nil }),
              reading.problems.isEmpty else { return nil }
        return Manifest(file: file, hash: hash, name: name, description: description, data: data,
                        definitions: definitions.compactMap { $0 }, baselineDefinitions: baselines, overriddenDefinitions: overridden, seeds: seeds,
                        policies: policies, report: report)
    }

    /// A guard against a typo multiplying a sweep into millions of runs.
    static let maximumRuns = 100_000
    /// More generations than this is a typo, not a search.
    static let maximumGenerations = 1_000

    /// The task names as written, before any validation (sweep keys refer to tasks by name).
    private static func rawTaskNames(_ node: ManifestNode) -> [String] {
        guard case let .sequence(items) = node.node else { return [] }
        return items.compactMap { $0.mapping?.first(where: { $0.key.string == "name" })?.value.string }
    }

    /// Parses the tasks, model and train sections of one run definition and hashes them.
    static func parseDefinition(_ nodes: DefinitionNodes, point: [SweepSetting], singleTaskPosition: Int?,
                             data: DataSection, reading: ManifestProblems) -> Manifest.RunDefinition? {
        let node = { (key: String, value: Node) in ManifestNode(node: value, path: key, reading: reading) }
        let tasks = parseTasks(node("tasks", nodes.tasks), dataset: data.dataset)
        if let tasks { checkTasks(tasks, fit: data, at: node("tasks", nodes.tasks), singleTask: singleTaskPosition != nil) }
        let model = parseModel(node("model", nodes.model), tasks: tasks)
        let train = parseTrain(node("train", nodes.train), data: data)
        if let model, let image = model.image, image.reduce(1, *) != data.inputDimension {
            reading.report("model.image", nodes.model,
                           "an image of \(image.map(String.init).joined(separator: "×")) holds \(image.reduce(1, *)) numbers, but data.input_dim is \(data.inputDimension)")
            return nil
        }
        guard let tasks, let model, let train else { return nil }
        return Manifest.RunDefinition(point: point, singleTaskPosition: singleTaskPosition, tasks: tasks, dataTasks: tasks,
                                      model: model, train: train, definitionHash: nodes.hash)
    }

    /// Options swept for a policy must be declared by it, with the type of their default.
    private static func checkSweptOptions(_ axis: SweepSection.Axis, of policy: PolicyEntry, declarations: PolicyDeclarations,
                                          reading: ManifestProblems) {
        let option = String(axis.path.split(separator: ".").last ?? "")
        for (node, setting) in zip(axis.nodes, axis.settings) {
            var options = policy.options
            options[option] = setting.value
            checkOptions(options, of: declarations.of(policy.script), at: ManifestNode(node: node, path: "sweep.\(axis.path)", reading: reading))
        }
    }

    private static func parseTasks(_ node: ManifestNode, dataset: Dataset) -> [ManifestTask]? {
        guard let items = node.list() else { return nil }
        if items.isEmpty { node.reading.report(node.path, node.node, "expected at least one task") }
        let tasks = items.map { parseTask($0, dataset: dataset) }
        var seen: Set<String> = []
        for (item, task) in zip(items, tasks) {
            if let task, !seen.insert(task.spec.name).inserted {
                node.reading.report("\(item.path).name", item.node, "duplicate task name '\(task.spec.name)'")
            }
        }
        return tasks.contains(where: { $0 == nil }) || items.isEmpty ? nil : tasks.compactMap { $0 }
    }

    /// A tasks section read by itself, as in a manifest whose `data.dataset` is `dataset`: lets the
    /// task types be tested without a data set that makes their targets. Problems in line order.
    static func loadTasks(yaml: String, file: String = "tasks.yaml", dataset: Dataset) throws -> [ManifestTask] {
        let reading = ManifestProblems(file: file)
        guard let root = try Yams.compose(yaml: yaml) else { throw ManifestError(problems: []) }
        let tasks = parseTasks(ManifestNode(node: root, path: "tasks", reading: reading), dataset: dataset)
        guard let tasks, reading.problems.isEmpty else {
            let ordered = reading.problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            throw ManifestError(problems: ordered.map(\.element))
        }
        return tasks
    }

    /// The task types the synthetic data set can make targets for; the others need an image data set.
    private static let syntheticTaskTypes = ["classification", "binary", "regression"]

    private static func parseTask(_ node: ManifestNode, dataset: Dataset) -> ManifestTask? {
        guard let task = node.mapping(allowed: ["name", "type", "classes", "outputs", "height", "width", "count", "loss", "beta",
                                                "gamma0", "kpi", "tolerance", "threshold", "noise"]) else { return nil }
        let reading = node.reading
        let name = task.required("name")?.string()
        let type = task.required("type")?.choice(syntheticTaskTypes + ["segmentation", "detection", "keypoints"])
        var kind: TaskKind?
        switch type {
        case "classification": kind = task.required("classes")?.integer(atLeast: 2).map { .classification(classes: $0) }
        case "binary": kind = .binary
        case "regression": kind = task.required("outputs")?.integer(atLeast: 1).map { .regression(outputs: $0) }
        case "segmentation":
            let height = task.required("height")?.integer(atLeast: 1), width = task.required("width")?.integer(atLeast: 1)
            if let height, let width { kind = .segmentation(height: height, width: width) }
        case "detection": kind = .detection
        case "keypoints": kind = task.required("count")?.integer(atLeast: 1).map { .keypoints(count: $0) }
        default: kind = nil
        }
        if let type, dataset == .synthetic, !syntheticTaskTypes.contains(type) {
            reading.report("\(node.path).type", task["type"]?.node,
                           "\(type) needs an image data set (fashion_scenes); the synthetic data set makes classification, binary and regression tasks")
        }
        for (key, allowedKind) in [("classes", "classification"), ("outputs", "regression"), ("height", "segmentation"),
                                   ("width", "segmentation"), ("count", "keypoints")] {
            if let field = task[key], let kind, kind.name != allowedKind {
                reading.report(field.path, field.node, "'\(key)' applies to \(allowedKind) tasks only")
            }
        }
        let noise = task["noise"].map { $0.number(in: 0...1e6, "a number ≥ 0") } ?? 0
        if let kind, case .classification = kind, let noise, noise > 1 {
            reading.report("\(node.path).noise", task["noise"]?.node, "expected a label-flip probability in [0, 1], got \(noise)")
        }
        guard let kind else { return nil }

        var loss = TaskLoss.standard(for: kind)
        if let field = task["loss"], let chosen = field.choice(TaskLoss.names).flatMap({ baseLoss($0, for: kind) }) {
            if chosen.isCompatible(with: kind) { loss = chosen } else {
                reading.report(field.path, field.node, "loss \(chosen.name) does not fit a \(kind.name) task; use \(TaskLoss.standard(for: kind).name)")
            }
        }
        if let field = task["beta"], let beta = field.number(in: 1e-12...Double.greatestFiniteMagnitude, "a smooth-L1 threshold β > 0") {
            if case .smoothL1 = loss { loss = .smoothL1(beta: Float(beta)) } else {
                reading.report(field.path, field.node, "'beta' (the smooth-L1 threshold) applies to the smooth_l1 loss only")
            }
        }
        if let field = task["gamma0"], let gamma0 = field.number(in: 0...100, "a focusing parameter γ₀ in [0, 100]") {
            switch loss {
            case .softmaxCrossEntropy: loss = .focal(gamma0: Float(gamma0))
            case .binaryCrossEntropy: loss = .binaryFocal(gamma0: Float(gamma0))
            default: reading.report(field.path, field.node, "'gamma0' (the focal loss) applies to cross-entropy losses of classification, binary and segmentation tasks")
            }
        }
        let (kpi, kpiName) = parseKPI(task, kind: kind)
        if let kpi, !kpi.isCompatible(with: kind) {
            reading.report("\(node.path).kpi", task["kpi"]?.node, "KPI \(kpiName) does not fit a \(kind.name) task")
            return nil
        }
        guard let name, let kpi, let noise else { return nil }
        return ManifestTask(spec: TaskSpec(name: name, kind: kind, loss: loss, kpi: kpi), noise: noise)
    }

    /// The task's KPI (nil when its keys are wrong) and its manifest name. By type, the default is
    /// within_tolerance (regression), mask_iou, box_iou, pck, and accuracy otherwise.
    private static func parseKPI(_ task: ManifestMapping, kind: TaskKind) -> (TaskKPI?, String) {
        let defaultName = switch kind {
        case .regression: "within_tolerance"
        case .segmentation: "mask_iou"
        case .detection: "box_iou"
        case .keypoints: "pck"
        case .classification, .binary: "accuracy"
        }
        let kpiName = task["kpi"].flatMap { $0.choice(["accuracy", "within_tolerance", "mask_iou", "mask_hit_rate", "box_iou", "pck"]) } ?? defaultName
        let tolerance = { (field: ManifestNode) in field.number(in: 1e-12...Double.greatestFiniteMagnitude, "a tolerance > 0") }
        let threshold = { task.optional("threshold", default: 0.5) { $0.number(in: 1e-12...1, "an IoU threshold in (0, 1]") } }
        let kpi: TaskKPI? = switch kpiName {
        case "within_tolerance": task.required("tolerance").flatMap(tolerance).map { .withinTolerance(Float($0)) }
        case "mask_iou": .maskIoU
        case "box_iou": threshold().map { .boxIoU(threshold: $0) }
        case "mask_hit_rate": threshold().map { .maskHitRate(threshold: $0) }
        case "pck": task.optional("tolerance", default: 0.1, tolerance).map { .pck(tolerance: $0) }
        default: .accuracy
        }
        if !["within_tolerance", "pck"].contains(kpiName), let field = task["tolerance"] {
            task.owner.reading.report(field.path, field.node, "'tolerance' applies to the within_tolerance and pck KPIs only")
        }
        if !["box_iou", "mask_hit_rate"].contains(kpiName), let field = task["threshold"] {
            task.owner.reading.report(field.path, field.node, "'threshold' applies to the box_iou and mask_hit_rate KPIs only")
        }
        return (kpi, kpiName)
    }

    /// The loss a manifest's `loss` names, for a task of `kind` (smooth_l1 takes the kind's default β).
    private static func baseLoss(_ name: String, for kind: TaskKind) -> TaskLoss? {
        switch name {
        case "softmax_cross_entropy": .softmaxCrossEntropy
        case "binary_cross_entropy": .binaryCrossEntropy
        case "mse": .meanSquaredError
        case "l1": .l1
        case "smooth_l1": .smoothL1(beta: TaskLoss.defaultSmoothL1Beta(for: kind))
        default: nil
        }
    }

    private static func parseSeeds(_ node: ManifestNode) -> [UInt64]? {
        guard let items = node.list() else { return nil }
        if items.isEmpty { node.reading.report(node.path, node.node, "expected at least one seed") }
        let seeds = items.map { $0.integer(atLeast: 0) }
        if Set(seeds.compactMap { $0 }).count != seeds.compactMap({ $0 }).count {
            node.reading.report(node.path, node.node, "seeds must be distinct")
        }
        guard !items.isEmpty, !seeds.contains(where: { $0 == nil }) else { return nil }
        return seeds.compactMap { $0.map(UInt64.init) }
    }

    private static func parsePolicies(_ node: ManifestNode, declarations: PolicyDeclarations) -> [PolicyEntry]? {
        guard let policies = node.mapping() else { return nil }
        if policies.entries.isEmpty { node.reading.report(node.path, node.node, "expected at least one policy") }
        let entries = policies.entries.map { key, value -> PolicyEntry? in
            guard let policy = value.mapping(allowed: ["script", "options", "overrides", "memory_mb", "time_ms", "generations"]) else { return nil }
            if key == ExperimentRunner.singleTaskPolicy {
                node.reading.report(value.path, value.node, "'\(key)' names the single-task baselines in the store (baselines: single_task); give the policy another name")
            }
            let defaults = LuaLimits()
            let memory = policy.optional("memory_mb", default: defaults.memoryBytes >> 20) { $0.integer(atLeast: 1) }
            let time = policy.optional("time_ms", default: defaults.milliseconds) { $0.integer(atLeast: 1) }
            let generations = policy.optional("generations", default: 1) { $0.integer(atLeast: 1) }
            if let generations, generations > maximumGenerations, let field = policy["generations"] {
                node.reading.report(field.path, field.node, "expected at most \(maximumGenerations) generations, got \(generations)")
            }
            let script = policy.required("script")?.string()
            if let script, !FileManager.default.fileExists(atPath: script), let field = policy["script"] {
                node.reading.report(field.path, field.node, "no policy file at \(script) (paths are relative to the working directory)")
            }
            var options: [String: SettingValue] = [:]
            var optionsValid = true
            if let field = policy["options"] {
                if let mapping = field.mapping() {
                    for (optionName, optionNode) in mapping.entries {
                        if let option = optionNode.option() { options[optionName] = option } else { optionsValid = false }
                    }
                } else { optionsValid = false }
            }
            guard let script, optionsValid, let memory, let time, let generations else { return nil }
            let declaration = declarations.of(script)
            checkOptions(options, of: declaration, at: policy["options"] ?? value)
            if generations > 1, declaration.defaults != nil, !declaration.remembers, let field = policy["generations"] {
                node.reading.report(field.path, field.node,
                                    "generations need a policy that remembers: \(script) does not declare memory = true (with a P:finish that returns what to remember)")
            }
            var entry = PolicyEntry(name: key, script: script, options: options,
                                    limits: LuaLimits(memoryBytes: memory << 20, milliseconds: time), scriptHash: declaration.hash)
            entry.defaults = declaration.defaults ?? [:]
            entry.generations = generations
            entry.remembers = declaration.remembers
            return entry
        }
        guard !policies.entries.isEmpty, !entries.contains(where: { $0 == nil }) else { return nil }
        return entries.compactMap { $0 }
    }

    /// Options must be declared in the policy's `defaults`, with the same type. A policy file that
    /// does not load is not a manifest problem: it fails its own runs, with the Lua message.
    private static func checkOptions(_ options: [String: SettingValue], of declaration: PolicyDeclaration, at node: ManifestNode) {
        if let problem = declaration.problem(with: options) { node.reading.report(node.path, node.node, problem) }
    }

    private static func parseReport(_ node: ManifestNode?, policies: [PolicyEntry], taskNames: [String]) -> ReportSection? {
        guard let node else { return ReportSection(baseline: nil, output: nil) }
        guard let report = node.mapping(allowed: ["baseline", "output", "difficulty"]) else { return nil }
        let baseline = report["baseline"]?.string()
        if let baseline, !policies.isEmpty, !policies.contains(where: { $0.name == baseline }), let field = report["baseline"] {
            node.reading.report(field.path, field.node,
                                "baseline '\(baseline)' is not a policy of this manifest (\(policies.map(\.name).joined(separator: ", ")))")
        }
        let output = report["output"]?.string()
        let difficulty = report["difficulty"].map { parseDifficulty($0, taskNames: taskNames) }
        if case .some(.none) = difficulty { return nil }
        return ReportSection(baseline: baseline, output: output, difficulty: difficulty ?? nil)
    }
}
