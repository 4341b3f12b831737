import Foundation
import FulcrumCore
import GRDB

/// An experiment as the store knows it.
public struct StoredExperiment: Sendable, Equatable {
    public struct Task: Sendable, Equatable, Codable {
        public let name: String
        public let kind: String
        public let kpi: String
    }

    public let name: String
    public let description: String
    public let manifestPath: String
    public let manifestHash: String
    public let tasks: [Task]
    public let policies: [String]
    public let seeds: [UInt64]
    public let steps: Int
    public let baseline: String?
    public let reportOutput: String?
    /// The manifest's `report.difficulty` (nil without one, and in stores written before it existed).
    public let difficulty: DifficultyExpectation?
}

/// A run as the store knows it.
public struct StoredRun: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case running, finished, failed
        /// A loss became NaN or infinite (`divergedStep` says when).
        case diverged
        /// Stopped by Ctrl-C; the next `fulcrum run` trains it again.
        case interrupted
    }

    public let id: String
    public let experiment: String
    public let manifestHash: String
    public let definitionHash: String
    public let policy: String
    /// The sweep point this run trained (empty when the manifest has no sweep).
    public let point: SweepPoint
    /// The experiment's task positions this run trained (a single-task baseline has one); nil = all.
    public let tasks: [Int]?
    public let policyFile: String
    public let policyHash: String
    public let options: String
    public let seed: UInt64
    public let status: Status
    public let error: String?
    public let divergedStep: Int?
    public let stepsDone: Int
    /// The steps the run was scheduled for (nil in stores written before they were recorded).
    public let totalSteps: Int?
    public let startedAt: String
    public let finishedAt: String?
    public let wallSeconds: Double?
    public let stepsPerSecond: Double?
    public let policyMicrosecondsPerStep: Double?
    public let peakMemoryBytes: Int?
    public let gitCommit: String?
    public let machine: String?
    /// The run's generation, for a policy that remembers (nil otherwise).
    public let generation: Int?
    /// What the run's policy remembered (`P:finish`'s answer, JSON), if anything.
    public let memory: String?

    init(row: Row) throws {
        id = row["id"]
        experiment = row["experiment"]
        manifestHash = row["manifest_hash"]
        definitionHash = row["definition_hash"]
        policy = row["policy"]
        point = try SweepPoint(json: row["point"])
        tasks = try (row["tasks"] as String?).map { try JSONText.decode([Int].self, $0) }
        policyFile = row["policy_file"]
        policyHash = row["policy_hash"]
        options = row["options"]
        seed = UInt64(bitPattern: row["seed"] as Int64)
        status = Status(rawValue: row["status"]) ?? .failed
        error = row["error"]
        divergedStep = row["diverged_step"]
        stepsDone = row["steps_done"]
        totalSteps = row["total_steps"]
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        wallSeconds = row["wall_seconds"]
        stepsPerSecond = row["steps_per_second"]
        policyMicrosecondsPerStep = row["policy_microseconds_per_step"]
        peakMemoryBytes = row["peak_memory_bytes"]
        gitCommit = row["git_commit"]
        machine = row["machine"]
        generation = row["generation"]
        memory = row["memory"]
    }
}

/// Losses and KPIs of one run on one split after `step` steps, in task order.
public struct StoredEvaluation: Sendable, Equatable {
    public let step: Int
    public let loss: [Double]
    public let kpi: [Double]
}

extension RunStore {
    public func experiment(named name: String) throws -> StoredExperiment? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiment WHERE name = ?", arguments: [name]) else { return nil }
            return StoredExperiment(
                name: row["name"], description: row["description"], manifestPath: row["manifest_path"],
                manifestHash: row["manifest_hash"],
                tasks: try JSONText.decode([StoredExperiment.Task].self, row["tasks"]),
                policies: try JSONText.decode([String].self, row["policies"]),
                seeds: try JSONText.decode([UInt64].self, row["seeds"]),
                steps: row["steps"], baseline: row["baseline"], reportOutput: row["report_output"],
                difficulty: try (row["difficulty"] as String?).map { try JSONText.decode(DifficultyExpectation.self, $0) })
        }
    }

    public func experimentNames() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT name FROM experiment ORDER BY name") }
    }

    /// The runs of the experiment's current manifest, by policy then seed.
    public func runs(of experiment: StoredExperiment) throws -> [StoredRun] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM run WHERE experiment = ? AND manifest_hash = ? ORDER BY policy, seed
                """, arguments: [experiment.name, experiment.manifestHash]).map(StoredRun.init(row:))
        }
    }

    /// A run's evaluations on `split` (by default validation, what the policy saw) in step order.
    public func evaluations(ofRun id: String, split: EvaluationSplit = .validation) throws -> [StoredEvaluation] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT step, task, loss, kpi FROM evaluation WHERE run_id = ? AND split = ? ORDER BY step, task
                """, arguments: [id, split.rawValue])
            var evaluations: [StoredEvaluation] = []
            for row in rows {
                let step: Int = row["step"]
                if evaluations.last?.step != step { evaluations.append(StoredEvaluation(step: step, loss: [], kpi: [])) }
                let last = evaluations.removeLast()
                evaluations.append(StoredEvaluation(step: step, loss: last.loss + [row["loss"]], kpi: last.kpi + [row["kpi"]]))
            }
            return evaluations
        }
    }

    /// A run's recorded signals in step order, with the run's context for replay.
    public func recordedSignals(ofRun id: String) throws -> (context: PolicyContext, signals: [StepSignals], applied: [[Double]?])? {
        try database.read { db in
            guard let run = try Row.fetchOne(db, sql: """
                SELECT run.seed, run.total_steps, run.steps_per_epoch, experiment.tasks
                FROM run JOIN experiment ON experiment.name = run.experiment WHERE run.id = ?
                """, arguments: [id]) else { return nil }
            let kinds = try JSONText.decode([StoredExperiment.Task].self, run["tasks"]).map(\.kind)
            let decoder = JSONDecoder()
            let signals = try String.fetchAll(db, sql: "SELECT signals FROM step_signals WHERE run_id = ? ORDER BY step", arguments: [id])
                .map { try decoder.decode(StepSignals.self, from: Data($0.utf8)) }
            // The weights applied at each recorded step; a manifest's `record_every` may leave steps out.
            var appliedByStep: [Int: [Double]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT step, weight FROM step WHERE run_id = ? ORDER BY step, task", arguments: [id]) {
                appliedByStep[row["step"], default: []].append(row["weight"])
            }
            let applied = signals.map { appliedByStep[$0.step] }
            let tasks = signals.first?.tasks ?? []
            let context = PolicyContext(tasks: tasks, taskKinds: kinds.count == tasks.count ? kinds : tasks.map { _ in "unknown" },
                                        totalSteps: (run["total_steps"] as Int?) ?? signals.count,
                                        stepsPerEpoch: (run["steps_per_epoch"] as Int?) ?? max(signals.count, 1),
                                        seed: UInt64(bitPattern: run["seed"] as Int64))
            return (context, signals, applied)
        }
    }

    /// The custom series a run's policy logged, in step order.
    public func policyLogs(ofRun id: String) throws -> [(step: Int, name: String, value: Double)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT step, name, value FROM policy_log WHERE run_id = ? ORDER BY step, position",
                             arguments: [id]).map { ($0["step"], $0["name"], $0["value"]) }
        }
    }

    /// What a run's policy printed, in order.
    public func printedLines(ofRun id: String) throws -> [(step: Int, line: String)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT step, line FROM run_output WHERE run_id = ? ORDER BY step, position",
                             arguments: [id]).map { ($0["step"], $0["line"]) }
        }
    }

    /// Per-step series of a run: (step, task) → (loss, kpi, weight).
    public func stepSeries(ofRun id: String) throws -> [(step: Int, task: Int, loss: Double, kpi: Double, weight: Double)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT step, task, loss, kpi, weight FROM step WHERE run_id = ? ORDER BY step, task",
                             arguments: [id]).map { ($0["step"], $0["task"], $0["loss"], $0["kpi"], $0["weight"]) }
        }
    }
}
