import Foundation
import FulcrumCore
import GRDB

/// What identifies a run in the store, written when it starts.
public struct RunDescriptor: Sendable, Equatable {
    public var id: String
    public var experiment: String
    public var manifestHash: String
    public var definitionHash: String = ""
    public var policy: String
    /// The sweep point (stored in the `point` column as JSON, `{}` without a sweep).
    public var point = SweepPoint()
    /// The experiment's task positions the run trains; nil = all.
    public var tasks: [Int]? = nil
    public var policyFile: String
    public var policyHash: String
    public var optionsJSON: String
    public var seed: UInt64
    public var gitCommit: String? = nil
    public var machine: String? = nil
    /// The run's generation, for a policy that remembers (nil otherwise).
    public var generation: Int? = nil

    public init(id: String, experiment: String, manifestHash: String, policy: String, policyFile: String,
                policyHash: String, optionsJSON: String, seed: UInt64) {
        self.id = id
        self.experiment = experiment
        self.manifestHash = manifestHash
        self.policy = policy
        self.policyFile = policyFile
        self.policyHash = policyHash
        self.optionsJSON = optionsJSON
        self.seed = seed
    }
}

/// How a run ended and what it cost.
public struct RunEnding: Sendable, Equatable {
    public var status: StoredRun.Status
    public var error: String? = nil
    public var divergedStep: Int? = nil
    public var wallSeconds: Double
    public var stepsPerSecond: Double? = nil
    public var policyMicrosecondsPerStep: Double? = nil
    public var peakMemoryBytes: Int? = nil

    public init(status: StoredRun.Status, error: String? = nil, divergedStep: Int? = nil, wallSeconds: Double,
                stepsPerSecond: Double? = nil, policyMicrosecondsPerStep: Double? = nil, peakMemoryBytes: Int? = nil) {
        self.status = status
        self.error = error
        self.divergedStep = divergedStep
        self.wallSeconds = wallSeconds
        self.stepsPerSecond = stepsPerSecond
        self.policyMicrosecondsPerStep = policyMicrosecondsPerStep
        self.peakMemoryBytes = peakMemoryBytes
    }
}

extension RunStore {
    /// Records (or updates) the experiment a manifest describes.
    public func recordExperiment(_ manifest: Manifest) throws {
        let tasks = manifest.tasks.map { ["name": $0.spec.name, "kind": $0.spec.kind.name, "kpi": $0.spec.kpi.name] }
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO experiment (name, description, manifest_path, manifest_hash, tasks, policies, seeds,
                                        steps, baseline, report_output, difficulty, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET
                    description = excluded.description, manifest_path = excluded.manifest_path,
                    manifest_hash = excluded.manifest_hash, tasks = excluded.tasks, policies = excluded.policies,
                    seeds = excluded.seeds, steps = excluded.steps, baseline = excluded.baseline,
                    report_output = excluded.report_output, difficulty = excluded.difficulty, updated_at = excluded.updated_at
                """, arguments: [manifest.name, manifest.description, manifest.file, manifest.hash,
                                 try JSONText.encode(tasks), try JSONText.encode(manifest.policies.map(\.name)),
                                 try JSONText.encode(manifest.seeds), manifest.longestSteps, manifest.report.baseline,
                                 manifest.report.output, try manifest.report.difficulty.map { try JSONText.encode($0) }, Self.timestamp()])
        }
    }

    /// Starts a run afresh: anything stored under the same id before is replaced. With a `lease`,
    /// every write to the run checks that the lease still holds it (`LeaseLost` otherwise).
    public func beginRun(_ run: RunDescriptor, lease: RunLease? = nil) throws {
        try database.write { db in
            try Self.checkHolds(lease, run.id, db)
            try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [run.id])
            try db.execute(sql: """
                INSERT INTO run (id, experiment, manifest_hash, definition_hash, policy, point, tasks, policy_file,
                                 policy_hash, options, seed, status, started_at, git_commit, machine, generation)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
                """, arguments: [run.id, run.experiment, run.manifestHash, run.definitionHash, run.policy, run.point.json,
                                 try run.tasks.map(JSONText.encode), run.policyFile, run.policyHash, run.optionsJSON,
                                 Int64(bitPattern: run.seed), Self.timestamp(), run.gitCommit, run.machine, run.generation])
        }
    }

    /// Appends per-step series in one transaction: the losses, KPIs and weights of the steps
    /// `sampled` keeps (task positions mapped to the experiment's by `taskPositions`), the
    /// policy's logs and lines, and the signals of every step (replay needs them all).
    public func appendSteps(_ records: [StepRecord], run id: String, taskPositions: [Int]? = nil,
                            sampled: (Int) -> Bool = { _ in true }, lease: RunLease? = nil) throws {
        guard let last = records.last else { return }
        // Encoded before taking the store's single writer: parallel runs would queue behind it.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let signals = try records.map { String(decoding: try encoder.encode($0.signals), as: UTF8.self) }
        try database.write { db in
            try Self.checkHolds(lease, id, db)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO step (run_id, step, task, loss, kpi, weight, head_weight) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            let insertLog = try db.cachedStatement(sql: "INSERT INTO policy_log (run_id, step, position, name, value) VALUES (?, ?, ?, ?, ?)")
            let insertLine = try db.cachedStatement(sql: "INSERT INTO run_output (run_id, step, position, line) VALUES (?, ?, ?, ?)")
            let insertSignals = try db.cachedStatement(sql: "INSERT INTO step_signals (run_id, step, signals) VALUES (?, ?, ?)")
            for (record, signals) in zip(records, signals) {
                for task in record.loss.indices where sampled(record.step) {
                    try insert.execute(arguments: [id, record.step, taskPositions?[task] ?? task, record.loss[task], record.kpi[task],
                                                   record.weights.shared[task], record.weights.heads[task]])
                }
                for (position, log) in record.output.logs.enumerated() {
                    try insertLog.execute(arguments: [id, record.step, position, log.name, log.value])
                }
                for (position, line) in record.output.lines.enumerated() {
                    try insertLine.execute(arguments: [id, record.step, position, line])
                }
                try insertSignals.execute(arguments: [id, record.step, signals])
            }
            try db.execute(sql: "UPDATE run SET steps_done = ? WHERE id = ?", arguments: [last.step, id])
        }
    }

    /// What the policy's context said about the run's length, for replay.
    public func recordSchedule(run id: String, totalSteps: Int, stepsPerEpoch: Int, lease: RunLease? = nil) throws {
        try database.write { db in
            try Self.checkHolds(lease, id, db)
            try db.execute(sql: "UPDATE run SET total_steps = ?, steps_per_epoch = ? WHERE id = ?", arguments: [totalSteps, stepsPerEpoch, id])
        }
    }

    /// Stores one evaluation, on the split it says, task positions mapped as in `appendSteps`.
    public func appendEvaluation(_ evaluation: EvaluationRecord, run id: String, taskPositions: [Int]? = nil, lease: RunLease? = nil) throws {
        try database.write { db in
            try Self.checkHolds(lease, id, db)
            let insert = try db.cachedStatement(sql: "INSERT INTO evaluation (run_id, split, step, task, loss, kpi) VALUES (?, ?, ?, ?, ?, ?)")
            for task in evaluation.loss.indices {
                try insert.execute(arguments: [id, evaluation.split.rawValue, evaluation.step, taskPositions?[task] ?? task,
                                               evaluation.loss[task], evaluation.kpi[task]])
            }
        }
    }

    /// Records how a run ended: finished, failed, diverged or interrupted, with its cost; releases
    /// the run's `lease` in the same transaction.
    public func endRun(_ id: String, _ ending: RunEnding, lease: RunLease? = nil) throws {
        try database.write { db in
            try Self.checkHolds(lease, id, db)
            try db.execute(sql: """
                UPDATE run SET status = ?, error = ?, diverged_step = ?, finished_at = ?, wall_seconds = ?,
                               steps_per_second = ?, policy_microseconds_per_step = ?, peak_memory_bytes = ?
                WHERE id = ?
                """, arguments: [ending.status.rawValue, ending.error, ending.divergedStep, Self.timestamp(), ending.wallSeconds,
                                 ending.stepsPerSecond, ending.policyMicrosecondsPerStep, ending.peakMemoryBytes, id])
            try Self.release(lease, id, db)
        }
    }

    /// The status of each of `ids` that is in the store.
    public func statuses(ofRuns ids: [String]) throws -> [String: StoredRun.Status] {
        try database.read { db in
            var statuses: [String: StoredRun.Status] = [:]
            for id in ids {
                if let raw = try String.fetchOne(db, sql: "SELECT status FROM run WHERE id = ?", arguments: [id]) {
                    statuses[id] = StoredRun.Status(rawValue: raw)
                }
            }
            return statuses
        }
    }

    /// Counts a finished run, kept from an earlier `fulcrum run`, as part of the manifest's current
    /// version (its id says it trained exactly what the current manifest defines).
    public func adoptRun(_ id: String, manifestHash: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE run SET manifest_hash = ? WHERE id = ?", arguments: [manifestHash, id])
        }
    }

    /// Detaches from the manifest's current version every run of the experiment that is not in its
    /// plan (`planned`): a run of an edited policy file keeps its data but leaves the report.
    public func retireRuns(of experiment: String, manifestHash: String, keeping planned: [String]) throws {
        try database.write { db in
            let stored = try String.fetchAll(db, sql: "SELECT id FROM run WHERE experiment = ? AND manifest_hash = ?",
                                             arguments: [experiment, manifestHash])
            let keep = Set(planned)
            for id in stored where !keep.contains(id) {
                try db.execute(sql: "UPDATE run SET manifest_hash = ? WHERE id = ?", arguments: ["retired:" + manifestHash, id])
            }
        }
    }
}

/// Compact, key-sorted JSON text for the store's JSON columns.
enum JSONText {
    static func encode<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
