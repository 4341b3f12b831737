import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumTestSupport
import GRDB

/// A run store written through the store API, as `fulcrum run` writes one, without training: the
/// two-task experiment and the runs that the store, report and CLI tests build on.
public struct StoreFixture {
    public let scratch: ScratchDirectory
    public let store: RunStore

    public init(_ scratch: ScratchDirectory, file: String = "store.sqlite") throws {
        self.scratch = scratch
        let path = "\(scratch.path)/\(file)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        store = try RunStore(path: path)
    }

    /// The manifest of experiment `name`, written to `name`.yaml: tasks `first` (`first`, a 2-class
    /// classification unless given) and `second` (a regression within 0.5 unless given), the
    /// `policies`, each running a script that weights both tasks 1, and `extra` YAML (baselines, report).
    /// `directory`: where in the scratch directory the manifest goes (`experiments` for a project).
    public func manifest(_ name: String, description: String = "Two tasks.", first: String = "classification, classes: 2",
                         second: String = "regression, outputs: 1, tolerance: 0.5", policies: [String] = ["a", "b"],
                         seeds: [UInt64] = [1, 2], steps: Int = 2, evaluateEvery: Int = 2, extra: String = "",
                         directory: String = "") throws -> Manifest {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1 } end }")
        return try Manifest.load(scratch.write(directory.isEmpty ? "\(name).yaml" : "\(directory)/\(name).yaml", """
            name: \(name)
            description: \(description)
            data: { dataset: synthetic, input_dim: 2, train_size: 8, val_size: 8 }
            tasks:
              - { name: first, type: \(first) }
              - { name: second, type: \(second) }
            model: { architecture: hard_sharing, trunk: [4] }
            train: { steps: \(steps), batch_size: 4, optimizer: sgd, lr: 0.1, eval_every: \(evaluateEvery) }
            seeds: [\(seeds.map(String.init).joined(separator: ", "))]
            policies:
            \(policies.map { "  \($0): { script: \(policy) }" }.joined(separator: "\n"))
            \(extra)
            """))
    }

    /// Records experiment `name` (see `manifest`) in the store.
    @discardableResult
    public func experiment(_ name: String, description: String = "Two tasks.", first: String = "classification, classes: 2",
                           second: String = "regression, outputs: 1, tolerance: 0.5", policies: [String] = ["a", "b"],
                           seeds: [UInt64] = [1, 2], steps: Int = 2, evaluateEvery: Int = 2, extra: String = "",
                           directory: String = "") throws -> Manifest {
        let manifest = try manifest(name, description: description, first: first, second: second, policies: policies,
                                    seeds: seeds, steps: steps, evaluateEvery: evaluateEvery, extra: extra, directory: directory)
        try store.recordExperiment(manifest)
        return manifest
    }

    /// Starts run `id` of `manifest` (policy file p.lua, hash h, no options; a single-task baseline has no file).
    public func begin(_ id: String, of manifest: Manifest, policy: String = "a", seed: UInt64 = 1,
                      point: SweepPoint = SweepPoint(), tasks: [Int]? = nil) throws {
        let file = policy == ExperimentRunner.singleTaskPolicy ? "" : "p.lua"
        var descriptor = RunDescriptor(id: id, experiment: manifest.name, manifestHash: manifest.hash, policy: policy,
                                       policyFile: file, policyHash: file.isEmpty ? "" : "h", optionsJSON: "{}", seed: seed)
        descriptor.point = point
        descriptor.tasks = tasks
        try store.beginRun(descriptor)
    }

    /// A run of `steps` steps: losses (step, 0.25), KPIs (0.5, 0.75), shared weights (1, 0.5), head
    /// weights (1, 2), a logged `gap` = step / 3 and a printed line each step; an evaluation before
    /// training and, unless the run is left running (`ending` nil), one after.
    public func run(_ id: String, of manifest: Manifest, policy: String = "a", seed: UInt64 = 1, pointJSON: String = "{}",
                    steps: Int = 2, ending: RunEnding? = RunEnding(status: .finished, wallSeconds: 2)) throws {
        try begin(id, of: manifest, policy: policy, seed: seed, point: try SweepPoint(json: pointJSON))
        try store.appendEvaluation(EvaluationRecord(step: 0, loss: [1, 2], kpi: [0.125, 0.25]), run: id)
        try store.appendSteps((1...steps).map { step in
            StepRecord(step: step, epoch: 1, loss: [Double(step), 0.25], kpi: [0.5, 0.75],
                       weights: TaskWeights(shared: [1, 0.5], heads: [1, 2]),
                       signals: StepSignals(tasks: ["first", "second"], step: step, epoch: 1, progress: 0, learningRate: 0.1,
                                            loss: [Double(step), 0.25], initialLoss: [1, 0.25], weights: [1, 1]),
                       output: PolicyOutput(logs: [PolicyLog(name: "gap", value: Double(step) / 3)], lines: ["at \(step)"]))
        }, run: id)
        guard let ending else { return }
        try store.appendEvaluation(EvaluationRecord(step: steps, loss: [0.5, 1], kpi: [0.75, 0.875]), run: id)
        try store.endRun(id, ending)
    }

    /// Every row of `table` as text, sorted: what the file holds, column for column.
    public func rows(_ table: String, run id: String? = nil) throws -> [[String]] {
        let queue = try DatabaseQueue(path: store.path)
        let key = table == "run" ? "id" : "run_id"
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table)" + (id == nil ? "" : " WHERE \(key) = ?"),
                             arguments: id.map { [$0] } ?? [])
                .map { row in row.databaseValues.map { String.fromDatabaseValue($0) ?? $0.description } }
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The rows of every table.
    public func allRows() throws -> [[[String]]] { try Self.tables.map { try rows($0) } }

    public static let tables = ["experiment", "run", "step", "evaluation", "policy_log", "run_output", "step_signals"]
    public static let runTables = ["step", "evaluation", "policy_log", "run_output", "step_signals"]
}
