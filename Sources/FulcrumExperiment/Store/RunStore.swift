import Foundation
import FulcrumCore
import GRDB

/// The run store: one SQLite file (WAL, through GRDB) holding experiments, runs, per-step series and
/// evaluations (on the validation split, and on the test split before and after training). Every
/// write is a transaction, so a killed process leaves what it had committed.
public final class RunStore: Sendable {
    public static let defaultPath = "runs/fulcrum.sqlite"

    public let path: String
    let database: DatabasePool

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    public init(path: String = RunStore.defaultPath) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        // WAL with synchronous = NORMAL: a killed process loses nothing it committed (only a power
        // loss can drop the last transactions), and commits do not wait for the disk.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        database = try Self.open(path, configuration)
        try Self.migrate(database)
    }

    /// Opens the pool. Switching a new file to WAL needs a moment alone with it, which SQLite does not
    /// wait for: two processes opening a new store at once make one fail with "database is locked",
    /// so that one tries again (for up to ten seconds).
    private static func open(_ path: String, _ configuration: Configuration) throws -> DatabasePool {
        try retrying(attempts: 100, on: [.SQLITE_BUSY, .SQLITE_LOCKED], pause: { _ in 0.1 }) {
            try DatabasePool(path: path, configuration: configuration)
        }
    }

    /// Brings the schema up to date. Two processes opening a new store at once both try the first
    /// migration; each migration is one transaction, so the loser's rolls back and, asked again, it
    /// finds the migrations the winner applied.
    private static func migrate(_ database: DatabasePool) throws {
        try retrying(attempts: 5, on: [.SQLITE_CONSTRAINT, .SQLITE_ERROR], pause: { 0.05 * Double($0) }) {
            try StoreSchema.migrator.migrate(database)
        }
    }

    /// `body`, tried again after `pause(attempt)` seconds while it fails with one of `codes`; the
    /// last attempt's error propagates.
    private static func retrying<Value>(attempts: Int, on codes: [ResultCode], pause: (Int) -> Double,
                                        _ body: () throws -> Value) throws -> Value {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where attempt < attempts && codes.contains(error.resultCode) {
                Thread.sleep(forTimeInterval: pause(attempt))
                attempt += 1
            }
        }
    }

    /// Opens a store that must already exist (for commands that only read it).
    public static func existing(at path: String) throws -> RunStore {
        guard FileManager.default.fileExists(atPath: path) else { throw MissingStore(path: path) }
        return try RunStore(path: path)
    }

    public struct MissingStore: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "no run store at \(path): run a manifest first (fulcrum run experiments/NAME.yaml)" }
    }

    static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }
}

/// Schema migrations, applied in order; a store written by an older Fulcrum is upgraded in place.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: experiments, runs, steps, evaluations") { db in
            try db.execute(sql: """
                CREATE TABLE experiment (
                    name TEXT PRIMARY KEY,
                    description TEXT NOT NULL,
                    manifest_path TEXT NOT NULL,
                    manifest_hash TEXT NOT NULL,
                    tasks TEXT NOT NULL,          -- JSON: [{"name", "kind", "kpi"}] in manifest order
                    policies TEXT NOT NULL,       -- JSON: policy names in manifest order
                    seeds TEXT NOT NULL,          -- JSON: [seed]
                    steps INTEGER NOT NULL,
                    baseline TEXT,
                    report_output TEXT,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE run (
                    id TEXT PRIMARY KEY,
                    experiment TEXT NOT NULL REFERENCES experiment(name) ON DELETE CASCADE,
                    manifest_hash TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    policy_file TEXT NOT NULL,
                    policy_hash TEXT NOT NULL,
                    options TEXT NOT NULL,        -- JSON: merged options as given to the policy
                    seed INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
                    error TEXT,
                    steps_done INTEGER NOT NULL DEFAULT 0,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    wall_seconds REAL
                );
                CREATE INDEX run_by_experiment ON run(experiment, manifest_hash);
                CREATE TABLE step (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    task INTEGER NOT NULL,        -- 0-based position in the manifest's task list
                    loss REAL NOT NULL,
                    kpi REAL NOT NULL,
                    weight REAL NOT NULL,         -- shared weight applied at this step
                    head_weight REAL NOT NULL,
                    PRIMARY KEY (run_id, step, task)
                ) WITHOUT ROWID;
                CREATE TABLE evaluation (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    task INTEGER NOT NULL,
                    loss REAL NOT NULL,
                    kpi REAL NOT NULL,
                    PRIMARY KEY (run_id, step, task)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: policy logs and printed lines") { db in
            try db.execute(sql: """
                CREATE TABLE policy_log (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    position INTEGER NOT NULL,    -- order within the step
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (run_id, step, position)
                ) WITHOUT ROWID;
                CREATE TABLE run_output (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    line TEXT NOT NULL,           -- what the policy printed
                    PRIMARY KEY (run_id, step, position)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3: the signals each policy saw, for replay") { db in
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN steps_per_epoch INTEGER;
                ALTER TABLE run ADD COLUMN total_steps INTEGER;
                CREATE TABLE step_signals (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    signals TEXT NOT NULL,        -- JSON: the policy's s at this step (fulcrum policy replay)
                    PRIMARY KEY (run_id, step)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4: sweep variants, divergence, interruption, run cost and provenance") { db in
            // SQLite cannot widen a CHECK constraint in place: the run table is rebuilt (GRDB turns
            // foreign keys off during a migration, so dropping the old table cascades nothing).
            try db.execute(sql: """
                CREATE TABLE run_v4 (
                    id TEXT PRIMARY KEY,
                    experiment TEXT NOT NULL REFERENCES experiment(name) ON DELETE CASCADE,
                    manifest_hash TEXT NOT NULL,
                    definition_hash TEXT NOT NULL DEFAULT '',  -- SHA-256 of this run's data/tasks/model/train
                    policy TEXT NOT NULL,
                    variant TEXT NOT NULL DEFAULT '{}',        -- JSON: the sweep point, e.g. {"train.lr": 0.001}
                    tasks TEXT,                                -- JSON: experiment task positions trained; NULL = all
                    policy_file TEXT NOT NULL,
                    policy_hash TEXT NOT NULL,
                    options TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'diverged', 'interrupted')),
                    error TEXT,
                    diverged_step INTEGER,                     -- the step whose loss was NaN or infinite
                    steps_done INTEGER NOT NULL DEFAULT 0,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    wall_seconds REAL,
                    steps_per_epoch INTEGER,
                    total_steps INTEGER,
                    steps_per_second REAL,
                    policy_microseconds_per_step REAL,
                    peak_memory_bytes INTEGER,                 -- the process's peak resident memory while the run trained
                    git_commit TEXT,                           -- HEAD of the working tree, '+dirty' if it had changes
                    machine TEXT
                );
                INSERT INTO run_v4 (id, experiment, manifest_hash, policy, policy_file, policy_hash, options, seed, status,
                                    error, steps_done, started_at, finished_at, wall_seconds, steps_per_epoch, total_steps)
                    SELECT id, experiment, manifest_hash, policy, policy_file, policy_hash, options, seed, status,
                           error, steps_done, started_at, finished_at, wall_seconds, steps_per_epoch, total_steps FROM run;
                DROP TABLE run;
                ALTER TABLE run_v4 RENAME TO run;
                CREATE INDEX run_by_experiment ON run(experiment, manifest_hash);
                """)
        }
        migrator.registerMigration("v5: test-split evaluations") { db in
            // The split joins the primary key, which SQLite cannot change in place: the table is
            // rebuilt (foreign keys are off during a migration) and the rows it had are validation ones.
            try db.execute(sql: """
                CREATE TABLE evaluation_v5 (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    split TEXT NOT NULL DEFAULT 'validation' CHECK (split IN ('validation', 'test')),
                    step INTEGER NOT NULL,
                    task INTEGER NOT NULL,        -- 0-based position in the manifest's task list
                    loss REAL NOT NULL,
                    kpi REAL NOT NULL,
                    PRIMARY KEY (run_id, split, step, task)
                ) WITHOUT ROWID;
                INSERT INTO evaluation_v5 (run_id, split, step, task, loss, kpi)
                    SELECT run_id, 'validation', step, task, loss, kpi FROM evaluation;
                DROP TABLE evaluation;
                ALTER TABLE evaluation_v5 RENAME TO evaluation;
                """)
        }
        migrator.registerMigration("v6: the report's expected order of task difficulty") { db in
            // NULL for experiments recorded before (or without `report.difficulty`): nothing to check.
            try db.execute(sql: "ALTER TABLE experiment ADD COLUMN difficulty TEXT")
        }
        migrator.registerMigration("v7: the sweep point's column is named point") { db in
            // One word per concept: manifests, reports and the code call it the sweep point.
            try db.execute(sql: "ALTER TABLE run RENAME COLUMN variant TO point")
        }
        migrator.registerMigration("v8: what a policy remembers across runs, and its generation") { db in
            // NULL for runs of policies that do not remember.
            try db.execute(sql: "ALTER TABLE run ADD COLUMN generation INTEGER; ALTER TABLE run ADD COLUMN memory TEXT")
        }
        migrator.registerMigration("v9: run leases, so several processes share a sweep") { db in
            // No foreign key: a lease outlives the run row it claims (`beginRun` replaces that row).
            try db.execute(sql: """
                CREATE TABLE run_lease (
                    run_id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,          -- the sweep that holds (or last held) the run
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    start_ticks INTEGER,          -- the holder's start time (/proc/PID/stat), against pid reuse
                    acquired_at REAL NOT NULL,    -- seconds since 1970
                    heartbeat_at REAL NOT NULL,
                    released_at REAL              -- NULL while held
                ) WITHOUT ROWID;
                CREATE INDEX run_lease_by_owner ON run_lease(owner, released_at);
                """)
        }
        return migrator
    }
}
