import Foundation
import GRDB

/// What merging one store into another did.
public struct MergeResult: Sendable, Equatable {
    public let source: String
    /// Runs copied from the source, with all their rows (new ones, and ones unfinished in the target).
    public let mergedRuns: Int
    /// Source runs the target already held as finished: the target's copy is kept.
    public let skippedRuns: Int

    public var line: String {
        "merged \(counted(mergedRuns, "run")) from \(source) (\(skippedRuns) already finished in the target, skipped)"
    }
}

extension RunStore {
    /// The tables whose rows belong to a run, copied with it.
    static let runTables = ["step", "evaluation", "policy_log", "run_output", "step_signals"]

    /// Merges the store at `source` into this one, in one transaction: experiments are upserted (the
    /// source's row wins when its `updated_at` is newer), and each source run is copied with all its
    /// rows unless this store already has that run finished; an unfinished run here is replaced.
    /// This is how the stores of a sharded sweep (`fulcrum run --shard i/N`) come together.
    @discardableResult
    public func merge(from source: String) throws -> MergeResult {
        try Self.checkMergeSource(source, into: path)
        return try database.writeWithoutTransaction { db in
            // ATTACH cannot run inside a transaction; the transaction then spans both files.
            try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [source])
            defer { try? db.execute(sql: "DETACH DATABASE source") }
            var result = MergeResult(source: source, mergedRuns: 0, skippedRuns: 0)
            try db.inTransaction {
                try Self.upsertExperiments(db)
                try db.execute(sql: """
                    DROP TABLE IF EXISTS temp.merging;
                    CREATE TEMP TABLE merging AS
                        SELECT id FROM source.run WHERE id NOT IN (SELECT id FROM main.run WHERE status = 'finished');
                    DELETE FROM main.run WHERE id IN (SELECT id FROM temp.merging);
                    """)  // the delete cascades to the unfinished run's rows
                try Self.copy("run", key: "id", db)
                for table in Self.runTables { try Self.copy(table, key: "run_id", db) }
                let merged = try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.merging") ?? 0
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM source.run") ?? 0
                result = MergeResult(source: source, mergedRuns: merged, skippedRuns: total - merged)
                try db.execute(sql: "DROP TABLE temp.merging")
                return .commit
            }
            return result
        }
    }

    /// Fails, naming the file, unless `source` is a Fulcrum store other than `target`; brings an
    /// older store's schema up to date (in place) so that its tables have the current columns.
    public static func checkMergeSource(_ source: String, into target: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw StoreToolError("cannot merge \(source): no such file")
        }
        guard !isDirectory.boolValue else { throw StoreToolError("cannot merge \(source): it is a directory, not a run store") }
        if sameFile(source, target) {
            throw StoreToolError("cannot merge \(source) into itself: it is the target store (--store \(target))")
        }
        let queue: DatabaseQueue
        let isStore: Bool
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)  // another process (or a store just closing) may hold the file a moment
            queue = try DatabaseQueue(path: source, configuration: configuration)
            isStore = try queue.read { try $0.tableExists("run") && $0.tableExists("grdb_migrations") }
        } catch let error as DatabaseError {
            throw StoreToolError("cannot merge \(source): not a Fulcrum run store (\(error.message ?? "\(error.resultCode)"))")
        }
        guard isStore else { throw StoreToolError("cannot merge \(source): not a Fulcrum run store (no run table)") }
        if try queue.read(StoreSchema.migrator.hasBeenSuperseded) {
            throw StoreToolError("cannot merge \(source): written by a newer Fulcrum (its schema has migrations this one does not know)")
        }
        try StoreSchema.migrator.migrate(queue)
        try queue.close()
    }

    /// The source's row replaces the target's when newer. An upsert, not INSERT OR REPLACE: replacing
    /// deletes the old row first, and the foreign keys would cascade that delete to all its runs.
    private static func upsertExperiments(_ db: Database) throws {
        let columns = try db.columns(in: "experiment", in: "main").map(\.name)
        let list = columns.joined(separator: ", ")
        let updates = columns.filter { $0 != "name" }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT, not to a join.
        try db.execute(sql: """
            INSERT INTO main.experiment (\(list)) SELECT \(list) FROM source.experiment WHERE true
            ON CONFLICT (name) DO UPDATE SET \(updates) WHERE excluded.updated_at > experiment.updated_at
            """)
    }

    /// Copies the rows of the runs being merged, column by column by name (not `SELECT *`, whose order
    /// depends on the order in which each file's migrations added the columns).
    private static func copy(_ table: String, key: String, _ db: Database) throws {
        let list = try db.columns(in: table, in: "main").map(\.name).joined(separator: ", ")
        try db.execute(sql: """
            INSERT INTO main.\(table) (\(list)) SELECT \(list) FROM source.\(table) WHERE \(key) IN (SELECT id FROM temp.merging)
            """)
    }

    /// Whether two paths name the same file (through symbolic or hard links): same device and inode.
    private static func sameFile(_ a: String, _ b: String) -> Bool {
        guard let first = try? FileManager.default.attributesOfItem(atPath: a),
              let second = try? FileManager.default.attributesOfItem(atPath: b) else { return false }
        return (first[.systemNumber] as? NSNumber) == (second[.systemNumber] as? NSNumber)
            && (first[.systemFileNumber] as? NSNumber) == (second[.systemFileNumber] as? NSNumber)
    }
}
