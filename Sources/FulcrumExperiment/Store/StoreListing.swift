import Foundation
import FulcrumCore
import GRDB

/// An error of the store's command-line tools (`runs`, `export`, `gc`, `merge`): the message says
/// which file or name was wrong and what was expected.
public struct StoreToolError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }

    static func unknownExperiment(_ name: String, known: [String]) -> StoreToolError {
        StoreToolError("no experiment '\(name)' in the store; known: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
    }
}

/// Which runs `fulcrum runs` lists; nil keeps every value.
public struct RunFilter: Sendable, Equatable {
    public var experiment: String?
    public var policy: String?
    public var status: StoredRun.Status?
    public var seed: UInt64?

    public init(experiment: String? = nil, policy: String? = nil, status: StoredRun.Status? = nil, seed: UInt64? = nil) {
        self.experiment = experiment
        self.policy = policy
        self.status = status
        self.seed = seed
    }

    /// A status given on the command line.
    public static func status(named name: String) throws -> StoredRun.Status {
        guard let status = StoredRun.Status(rawValue: name) else {
            let valid = StoredRun.Status.allCases.map(\.rawValue).joined(separator: ", ")
            throw StoreToolError("unknown run status '\(name)'; expected one of: \(valid)")
        }
        return status
    }
}

/// A run with what the listing adds to the stored row.
public struct ListedRun: Sendable, Equatable {
    public let run: StoredRun
    /// The steps the run was scheduled for: its own record, else its experiment's `train.steps`.
    public let totalSteps: Int?
    /// Whether the run belongs to its experiment's current manifest (the runs a report reads).
    public let isCurrent: Bool
    /// The lease of the process training the run now (or that was, if it died): nil when none holds it.
    public var lease: StoredLease? = nil
}

extension RunStore {
    /// The runs matching `filter`, by experiment, policy, sweep point, generation, seed. A filter on an experiment the
    /// store does not know is an error (a typo would otherwise list nothing, silently).
    public func listRuns(_ filter: RunFilter = RunFilter()) throws -> [ListedRun] {
        try database.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let experiment = filter.experiment {
                let known = try String.fetchAll(db, sql: "SELECT name FROM experiment ORDER BY name")
                guard known.contains(experiment) else { throw StoreToolError.unknownExperiment(experiment, known: known) }
                conditions.append("run.experiment = ?")
                arguments += [experiment]
            }
            if let policy = filter.policy { conditions.append("run.policy = ?"); arguments += [policy] }
            if let status = filter.status { conditions.append("run.status = ?"); arguments += [status.rawValue] }
            if let seed = filter.seed { conditions.append("run.seed = ?"); arguments += [Int64(bitPattern: seed)] }
            let rows = try Row.fetchAll(db, sql: """
                SELECT run.*, experiment.manifest_hash AS current_manifest_hash, experiment.steps AS experiment_steps
                FROM run JOIN experiment ON experiment.name = run.experiment
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY run.experiment, run.policy, run.point, run.generation, run.seed, run.id
                """, arguments: arguments)
            let leases = try Row.fetchAll(db, sql: "SELECT * FROM run_lease WHERE released_at IS NULL").map(StoredLease.init)
            let leaseByRun = Dictionary(leases.map { ($0.runID, $0) }, uniquingKeysWith: { first, _ in first })
            return try rows.map { row in
                let run = try StoredRun(row: row)
                return ListedRun(run: run, totalSteps: (row["total_steps"] as Int?) ?? row["experiment_steps"],
                                 isCurrent: run.manifestHash == row["current_manifest_hash"], lease: leaseByRun[run.id])
            }
        }
    }
}

/// How `fulcrum runs` prints runs: an aligned table, or one JSON object per line.
public enum RunListing {
    public static func table(_ runs: [ListedRun]) -> String {
        guard !runs.isEmpty else { return summary(runs) + "\n" }
        // Policies that remember add their generation and what each run remembered.
        let remembering = runs.contains { $0.run.generation != nil }
        // Runs a process holds now (or held when it died) say which.
        let held = runs.contains { $0.lease != nil }
        let now = Date().timeIntervalSince1970
        let header = ["id", "experiment", "policy", "point", "seed", "status", "steps", "wall s", "steps/s", "policy µs/step", "error"]
            + (remembering ? ["generation", "memory"] : []) + (held ? ["held by"] : [])
        let rightAligned: Set<Int> = [4, 6, 7, 8, 9, 11]
        let rows = runs.map { listed -> [String] in
            let run = listed.run
            // Two rows for one policy and seed are usually the current run and a stale one: say which.
            let status = run.status.rawValue + (listed.isCurrent ? "" : " (stale)")
            return [String(run.id.prefix(16)), run.experiment, run.policy, run.point.label, "\(run.seed)", status,
                    "\(run.stepsDone)/\(listed.totalSteps.map(String.init) ?? "?")",
                    decimal(run.wallSeconds), decimal(run.stepsPerSecond), decimal(run.policyMicrosecondsPerStep),
                    errorSummary(run.error)]
                + (remembering ? [run.generation.map(String.init) ?? "", memorySummary(run.memory)] : [])
                + (held ? [listed.lease?.holderSummary(at: now) ?? ""] : [])
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let lines = ([header] + rows).map { cells in
            cells.indices.map { column -> String in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                return rightAligned.contains(column) ? padding + cells[column] : cells[column] + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return (lines + [summary(runs)]).joined(separator: "\n") + "\n"
    }

    /// "12 runs: 10 finished, 1 failed, 1 diverged" (statuses in lifecycle order, zeros left out),
    /// then how many are stale: not part of their experiment's current manifest.
    public static func summary(_ runs: [ListedRun]) -> String {
        let counts = StoredRun.Status.allCases.compactMap { status -> String? in
            let count = runs.filter { $0.run.status == status }.count
            return count == 0 ? nil : "\(count) \(status.rawValue)"
        }
        var summary = counts.isEmpty ? counted(runs.count, "run") : "\(counted(runs.count, "run")): \(counts.joined(separator: ", "))"
        let stale = runs.filter { !$0.isCurrent }.count
        if stale > 0 { summary += "; \(stale) stale (not in the current manifest; fulcrum gc --stale drops them)" }
        return summary
    }

    /// One run as a JSON object with the store's column names (`point`, `options` and `tasks` as JSON,
    /// not text) and `current`: whether the run belongs to its experiment's current manifest.
    public static func jsonLine(_ listed: ListedRun) throws -> String {
        let run = listed.run
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func integer(_ value: Int?) -> JSONValue { value.map { .integer(Int64($0)) } ?? .null }
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        let object: [String: JSONValue] = [
            "id": .string(run.id), "experiment": .string(run.experiment), "manifest_hash": .string(run.manifestHash),
            "current": .bool(listed.isCurrent), "definition_hash": .string(run.definitionHash), "policy": .string(run.policy),
            "point": (try? JSONText.decode(JSONValue.self, run.point.json)) ?? .string(run.point.json),
            "tasks": run.tasks.map { .array($0.map { .integer(Int64($0)) }) } ?? .null,
            "policy_file": .string(run.policyFile), "policy_hash": .string(run.policyHash),
            "options": (try? JSONText.decode(JSONValue.self, run.options)) ?? .string(run.options),
            "seed": Int64(exactly: run.seed).map(JSONValue.integer) ?? .number(Double(run.seed)),
            "status": .string(run.status.rawValue), "error": text(run.error), "diverged_step": integer(run.divergedStep),
            "steps_done": integer(run.stepsDone), "total_steps": integer(listed.totalSteps),
            "started_at": .string(run.startedAt), "finished_at": text(run.finishedAt), "wall_seconds": number(run.wallSeconds),
            "steps_per_second": number(run.stepsPerSecond), "policy_microseconds_per_step": number(run.policyMicrosecondsPerStep),
            "peak_memory_bytes": integer(run.peakMemoryBytes), "git_commit": text(run.gitCommit), "machine": text(run.machine),
            "generation": integer(run.generation),
            "memory": run.memory.map { (try? JSONText.decode(JSONValue.self, $0)) ?? .string($0) } ?? .null,
            "lease": listed.lease.map { lease in
                .object(["host": .string(lease.holder.host), "pid": .integer(Int64(lease.holder.pid)),
                         "acquired_at": .number(lease.acquiredAt), "heartbeat_at": .number(lease.heartbeatAt),
                         "live": .bool(lease.isLive(at: Date().timeIntervalSince1970, timing: LeaseTiming()))])
            } ?? .null,
        ]
        return try JSONText.encode(JSONValue.object(object))
    }

    /// A run's memory in the table: its JSON cut to 60 characters (`fulcrum runs --json` has it whole).
    static func memorySummary(_ memory: String?) -> String {
        guard let memory else { return "" }
        return memory.count > 60 ? String(memory.prefix(59)) + "…" : memory
    }

    /// The first line of an error, cut to 60 characters: the table stays one line per run.
    static func errorSummary(_ error: String?) -> String {
        guard let firstLine = error?.split(separator: "\n", omittingEmptySubsequences: false).first else { return "" }
        return firstLine.count > 60 ? String(firstLine.prefix(59)) + "…" : String(firstLine)
    }

    static func decimal(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "—" }
}

/// A JSON value, for the store's JSON columns (sweep points, options) when they are shown or re-emitted.
enum JSONValue: Codable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
