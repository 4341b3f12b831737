import Foundation
import GRDB

/// A process's claim on the runs it trains, so several `fulcrum run` processes on one store share a
/// sweep and each run trains once. A process takes a run with a lease in one transaction, renews
/// its leases with a heartbeat while it trains, and releases a run's lease when it records the end.
/// A lease whose holder is gone — its pid no longer names it on this host, or its heartbeat is older
/// than `LeaseTiming.expiry` — is taken over, and the run starts afresh (its rows are replaced).
public struct RunLease: Sendable, Equatable {
    /// One per sweep: tells this sweep's leases from another's in the same process.
    public let owner: String
    public let holder: ProcessIdentity
    /// Seconds since 1970 when the sweep began: a run another process ended after it counts as done
    /// (however it ended: a failed run trains again on the next `fulcrum run`, as after a single process).
    public let sweepStartedAt: Double

    public init(owner: String = UUID().uuidString, holder: ProcessIdentity = .current, sweepStartedAt: Double = Date().timeIntervalSince1970) {
        self.owner = owner
        self.holder = holder
        self.sweepStartedAt = sweepStartedAt
    }
}

/// How often a holder renews its leases, and how old a heartbeat may be before its lease is
/// taken over (from another host, where the pid cannot be checked).
public struct LeaseTiming: Sendable, Equatable {
    public var heartbeatSeconds: Double
    public var expirySeconds: Double
    /// How long a process waits before it asks again for a run another process holds.
    public var pollSeconds: Double

    public init(heartbeatSeconds: Double = 10, expirySeconds: Double = 120, pollSeconds: Double = 0.1) {
        self.heartbeatSeconds = heartbeatSeconds
        self.expirySeconds = expirySeconds
        self.pollSeconds = pollSeconds
    }
}

/// A lease as stored: who holds (or last held) a run, and whether they still do.
public struct StoredLease: Sendable, Equatable {
    public let runID: String
    public let owner: String
    public let holder: ProcessIdentity
    public let acquiredAt: Double
    public let heartbeatAt: Double
    public let releasedAt: Double?

    /// Whether the holder may still be training: not released, its process not known to be gone,
    /// its heartbeat fresh.
    public func isLive(at now: Double, timing: LeaseTiming) -> Bool {
        releasedAt == nil && !holder.isGoneFromThisHost && now - heartbeatAt <= timing.expirySeconds
    }

    /// For `fulcrum runs`: "host pid 4242, heartbeat 3 s ago", or that the holder is gone.
    public func holderSummary(at now: Double, timing: LeaseTiming = LeaseTiming()) -> String {
        let age = Int((now - heartbeatAt).rounded())
        return isLive(at: now, timing: timing)
            ? "\(holder), heartbeat \(age) s ago"
            : "\(holder), gone (heartbeat \(age) s ago): the next fulcrum run takes it over"
    }

    init(row: Row) {
        runID = row["run_id"]
        owner = row["owner"]
        holder = ProcessIdentity(host: row["host"], pid: row["pid"], startTicks: row["start_ticks"])
        acquiredAt = row["acquired_at"]
        heartbeatAt = row["heartbeat_at"]
        releasedAt = row["released_at"]
    }
}

/// What a claim found.
public enum RunClaim: Sendable, Equatable {
    /// The run is this sweep's to train; `takenOverFrom` is the lease of a holder that was gone.
    case claimed(takenOverFrom: StoredLease?)
    /// Another live process holds it: ask again later.
    case held(by: StoredLease)
    /// Finished in the store (and not forced): nothing to train.
    case finished
    /// Another process took and ended it after this sweep began: done, however it ended.
    case endedElsewhere(StoredLease)
}

/// The store's answer when a sweep writes to a run it no longer holds: its holder was taken for
/// gone (a heartbeat that stalled for longer than the expiry) and another process has the run now.
public struct LeaseLost: Error, CustomStringConvertible {
    public let runID: String
    public let holder: String?
    public var description: String {
        "run \(runID) was taken over by \(holder ?? "another process") (this process's heartbeat had expired); its training here is dropped"
    }
}

extension RunStore {
    /// Takes `id` for `lease`'s sweep, in one transaction, unless another live process holds it or
    /// it is done: finished (when not `force`d), or ended by another process since the sweep began.
    public func claimRun(_ id: String, lease: RunLease, force: Bool, timing: LeaseTiming = LeaseTiming()) throws -> RunClaim {
        let now = Date().timeIntervalSince1970
        // A run another live process holds is asked for often: a read says so without the write lock.
        let seen = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM run_lease WHERE run_id = ?", arguments: [id]).map(StoredLease.init)
        }
        if let seen, seen.owner != lease.owner, seen.isLive(at: now, timing: timing) { return .held(by: seen) }
        return try database.write { db in
            var takenOver: StoredLease?
            if let stored = try Row.fetchOne(db, sql: "SELECT * FROM run_lease WHERE run_id = ?", arguments: [id]).map(StoredLease.init),
               stored.owner != lease.owner {
                if stored.releasedAt == nil {
                    if stored.isLive(at: now, timing: timing) { return .held(by: stored) }
                    takenOver = stored
                } else if let released = stored.releasedAt, released >= lease.sweepStartedAt {
                    return .endedElsewhere(stored)
                }
            }
            if !force, try String.fetchOne(db, sql: "SELECT status FROM run WHERE id = ?", arguments: [id]) == StoredRun.Status.finished.rawValue {
                return .finished
            }
            try db.execute(sql: """
                INSERT INTO run_lease (run_id, owner, host, pid, start_ticks, acquired_at, heartbeat_at, released_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT(run_id) DO UPDATE SET
                    owner = excluded.owner, host = excluded.host, pid = excluded.pid, start_ticks = excluded.start_ticks,
                    acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, released_at = NULL
                """, arguments: [id, lease.owner, lease.holder.host, lease.holder.pid, lease.holder.startTicks, now, now])
            return .claimed(takenOverFrom: takenOver)
        }
    }

    /// Renews every lease `owner` holds; returns how many.
    @discardableResult
    public func renewLeases(owner: String) throws -> Int {
        let now = Date().timeIntervalSince1970
        return try database.write { db in
            try db.execute(sql: "UPDATE run_lease SET heartbeat_at = ? WHERE owner = ? AND released_at IS NULL", arguments: [now, owner])
            return db.changesCount
        }
    }

    /// Inside a write: throws `LeaseLost` unless `lease` (when given) still holds `id`.
    static func checkHolds(_ lease: RunLease?, _ id: String, _ db: Database) throws {
        guard let lease else { return }
        let row = try Row.fetchOne(db, sql: "SELECT owner, host, pid FROM run_lease WHERE run_id = ? AND released_at IS NULL", arguments: [id])
        guard let row, row["owner"] as String == lease.owner else {
            throw LeaseLost(runID: id, holder: row.map { "\($0["host"] as String) pid \($0["pid"] as Int32)" })
        }
    }

    /// Inside a write: releases `lease`'s hold on `id` (when given).
    static func release(_ lease: RunLease?, _ id: String, _ db: Database) throws {
        guard let lease else { return }
        try db.execute(sql: "UPDATE run_lease SET released_at = ? WHERE run_id = ? AND owner = ?",
                       arguments: [Date().timeIntervalSince1970, id, lease.owner])
    }
}
