import Foundation
import FulcrumLua
import GRDB

/// A run's memory as the plan reads it: whether the run has ended (finished or diverged, the two
/// endings after which `P:finish` ran) and what it remembered.
public struct StoredMemory: Sendable, Equatable {
    public let status: StoredRun.Status
    public let value: MemoryValue?

    public var hasEnded: Bool { status == .finished || status == .diverged }
}

extension RunStore {
    /// Records what a run's policy remembered (`P:finish`'s answer), before the run's end is recorded.
    public func recordMemory(run id: String, _ value: MemoryValue, lease: RunLease? = nil) throws {
        let json = value.json
        try database.write { db in
            try Self.checkHolds(lease, id, db)
            try db.execute(sql: "UPDATE run SET memory = ? WHERE id = ?", arguments: [json, id])
        }
    }

    /// The status and memory of each of `ids` that is in the store.
    public func memories(ofRuns ids: [String]) throws -> [String: StoredMemory] {
        try database.read { db in
            var memories: [String: StoredMemory] = [:]
            for id in ids {
                guard let row = try Row.fetchOne(db, sql: "SELECT status, memory FROM run WHERE id = ?", arguments: [id]),
                      let status = StoredRun.Status(rawValue: row["status"]) else { continue }
                let text: String? = row["memory"]
                memories[id] = StoredMemory(status: status, value: try text.map { try JSONText.decode(MemoryValue.self, $0) })
            }
            return memories
        }
    }

    /// Every remembered value of an experiment's current runs (of one policy, if given), as records —
    /// for `fulcrum export --memory` and the report — in the order the plan merges them: generation,
    /// seed, run id.
    public func memoryRecords(of experiment: String, policy: String? = nil) throws -> [MemoryRecord] {
        try database.read { db in
            let known = try String.fetchAll(db, sql: "SELECT name FROM experiment ORDER BY name")
            guard known.contains(experiment) else { throw StoreToolError.unknownExperiment(experiment, known: known) }
            let rows = try Row.fetchAll(db, sql: """
                SELECT run.id, run.seed, run.generation, run.memory FROM run JOIN experiment ON experiment.name = run.experiment
                WHERE run.experiment = ? AND run.manifest_hash = experiment.manifest_hash AND run.memory IS NOT NULL
                      AND (? IS NULL OR run.policy = ?)
                """, arguments: [experiment, policy, policy])
            return try PolicyMemory(records: rows.map { row in
                MemoryRecord(generation: row["generation"] ?? 1, seed: UInt64(bitPattern: row["seed"]), run: row["id"],
                             value: try JSONText.decode(MemoryValue.self, row["memory"]))
            }).records
        }
    }

    /// Writes `memoryRecords` as a JSON array (pretty, keys sorted): the memory file `fulcrum policy
    /// check --memory` and `fulcrum policy replay --memory` read. Returns how many records it wrote.
    @discardableResult
    public func exportMemory(of experiment: String, policy: String? = nil, to file: String) throws -> Int {
        let records = try memoryRecords(of: experiment, policy: policy)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let directory = (file as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try encoder.encode(records).write(to: URL(fileURLWithPath: file))
        return records.count
    }
}
