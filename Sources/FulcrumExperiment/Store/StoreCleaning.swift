import Foundation
import GRDB

/// What `fulcrum gc` dropped (or, in a dry run, would drop).
public struct GarbageCollection: Sendable, Equatable {
    /// An experiment whose manifest file is gone, with its run count.
    public struct Orphan: Sendable, Equatable {
        public let experiment: String
        public let manifestPath: String
        public let runs: Int
    }

    /// Runs of a kept experiment that its current manifest no longer reports.
    public struct StaleRuns: Sendable, Equatable {
        public let experiment: String
        /// Left out of the plan after a policy file or the training changed (`retired:<hash>`).
        public let retired: Int
        /// Written under an earlier version of the manifest file and never adopted by the current one.
        public let olderManifest: Int
    }

    public let orphans: [Orphan]
    public let staleRuns: [StaleRuns]
    public let dryRun: Bool
    /// The store's size (database plus write-ahead log) before and after reclaiming space; nil in a dry run.
    public let bytesBefore: Int?
    public let bytesAfter: Int?
    /// Why the file could not be vacuumed (another process was reading it); the drops are committed.
    public let vacuumError: String?

    public var droppedRuns: Int { orphans.map(\.runs).reduce(0, +) + staleRuns.map { $0.retired + $0.olderManifest }.reduce(0, +) }

    /// The report `fulcrum gc` prints, one line per experiment, then the totals.
    public var lines: [String] {
        var lines = orphans.map { "experiment \($0.experiment): manifest \($0.manifestPath) no longer exists — \(counted($0.runs, "run"))" }
        lines += staleRuns.map { runs in
            let kinds = [(runs.retired, "retired after a policy or training edit"), (runs.olderManifest, "of an older manifest")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
            return "experiment \(runs.experiment): \(counted(runs.retired + runs.olderManifest, "stale run")) (\(kinds.joined(separator: ", ")))"
        }
        let experiments = orphans.isEmpty ? [] : [counted(orphans.count, "experiment")]
        let total = (experiments + [counted(droppedRuns, "run")]).joined(separator: " and ")
        if orphans.isEmpty && droppedRuns == 0 {
            lines.append(dryRun ? "dry run: nothing to drop" : "nothing to drop")
        } else {
            lines.append(dryRun ? "dry run: would drop \(total); nothing deleted" : "dropped \(total)")
        }
        if let bytesBefore, let bytesAfter {
            lines.append("store size: \(Self.size(bytesBefore)) → \(Self.size(bytesAfter))"
                         + (vacuumError.map { " (not vacuumed: \($0); run fulcrum gc again when it is idle)" } ?? ""))
        }
        return lines
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1048576) : String(format: "%.0f kB", Double(bytes) / 1024)
    }
}

func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

extension RunStore {
    /// Drops the experiments whose manifest file no longer exists (relative paths are resolved against
    /// `root`, the repository root `fulcrum run` ran from), with all their runs and rows; with `stale`,
    /// also the runs whose manifest hash is not their experiment's current one. Then vacuums the file,
    /// unless `dryRun`, which deletes nothing.
    public func collectGarbage(stale: Bool, dryRun: Bool,
                               root: String = FileManager.default.currentDirectoryPath) throws -> GarbageCollection {
        let drop = { (db: Database) throws -> (orphans: [GarbageCollection.Orphan], stale: [GarbageCollection.StaleRuns]) in
            let plan = try Self.garbage(db, stale: stale, root: root)
            guard !dryRun else { return plan }
            // Foreign keys cascade (GRDB turns them on): a run's steps, evaluations, logs and signals go with it.
            for orphan in plan.orphans { try db.execute(sql: "DELETE FROM experiment WHERE name = ?", arguments: [orphan.experiment]) }
            for runs in plan.stale {
                try db.execute(sql: """
                    DELETE FROM run WHERE experiment = ?
                      AND manifest_hash != (SELECT manifest_hash FROM experiment WHERE name = ?)
                    """, arguments: [runs.experiment, runs.experiment])
            }
            // The released leases of runs no longer stored: nothing reads them.
            try db.execute(sql: "DELETE FROM run_lease WHERE released_at IS NOT NULL AND run_id NOT IN (SELECT id FROM run)")
            return plan
        }
        let before = storeBytes()
        let plan = dryRun ? try database.read(drop) : try database.write(drop)
        guard !dryRun else {
            return GarbageCollection(orphans: plan.orphans, staleRuns: plan.stale, dryRun: true,
                                     bytesBefore: nil, bytesAfter: nil, vacuumError: nil)
        }
        // VACUUM rewrites the file without the freed pages; it cannot run inside a transaction, and the
        // barrier waits for this process's readers. The checkpoint then empties the write-ahead log.
        // Another process reading the store can make either fail: the drops stand, the space waits.
        var vacuumError: String?
        do {
            try database.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch let error as DatabaseError {
            vacuumError = error.message ?? "\(error.resultCode)"
        }
        return GarbageCollection(orphans: plan.orphans, staleRuns: plan.stale, dryRun: false,
                                 bytesBefore: before, bytesAfter: storeBytes(), vacuumError: vacuumError)
    }

    private static func garbage(_ db: Database, stale: Bool, root: String) throws
        -> (orphans: [GarbageCollection.Orphan], stale: [GarbageCollection.StaleRuns]) {
        var orphans: [GarbageCollection.Orphan] = []
        var staleRuns: [GarbageCollection.StaleRuns] = []
        for experiment in try Row.fetchAll(db, sql: "SELECT name, manifest_path, manifest_hash FROM experiment ORDER BY name") {
            let name: String = experiment["name"], manifestPath: String = experiment["manifest_path"]
            let file = manifestPath.hasPrefix("/") ? manifestPath : "\(root)/\(manifestPath)"
            if !FileManager.default.fileExists(atPath: file) {
                let runs = try Int.fetchOne(db, sql: "SELECT count(*) FROM run WHERE experiment = ?", arguments: [name]) ?? 0
                orphans.append(GarbageCollection.Orphan(experiment: name, manifestPath: manifestPath, runs: runs))
            } else if stale {
                let counts = try Row.fetchOne(db, sql: """
                    SELECT count(*) FILTER (WHERE manifest_hash LIKE 'retired:%') AS retired,
                           count(*) FILTER (WHERE manifest_hash NOT LIKE 'retired:%') AS older
                    FROM run WHERE experiment = ? AND manifest_hash != ?
                    """, arguments: [name, experiment["manifest_hash"] as String])
                let retired: Int = counts?["retired"] ?? 0, older: Int = counts?["older"] ?? 0
                if retired + older > 0 {
                    staleRuns.append(GarbageCollection.StaleRuns(experiment: name, retired: retired, olderManifest: older))
                }
            }
        }
        return (orphans, staleRuns)
    }

    private func storeBytes() -> Int {
        [path, path + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
    }
}
