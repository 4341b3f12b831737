import Foundation
import FulcrumExperiment

/// Everything a block's output depends on, written down as text; its SHA-256 keys the output
/// region, so a block whose inputs did not change is not run again.
///
/// - the block's commands (not its comments or blank lines);
/// - `run`: the manifest's bytes, each policy script's bytes (inline policies too), and each
///   planned run's id with its status in the store — taken after the run, so a second pass finds
///   the same state, while a run missing from the store (a fresh store, a retired run) runs again;
/// - `report`: the experiment's record and, for each of its current runs, the id, status, steps
///   done, end time and error: new or retrained runs rewrite the tables and figures.
struct NotebookInputs {
    /// Raised when what a notebook writes changes shape, so every output is rewritten once.
    static let formatVersion = 1
    private(set) var text = "fulcrum notebook \(NotebookInputs.formatVersion)\n"

    mutating func add(_ key: String, _ value: String) {
        text += "\(key)\t\(value.replacingOccurrences(of: "\n", with: "\\n"))\n"
    }

    mutating func addFile(_ path: String) {
        add("file \(path)", FileManager.default.contents(atPath: path).map(SHA256.hexDigest) ?? "missing")
    }

    /// The hash the output marker records: the first 16 hex digits of SHA-256.
    var hash: String { String(SHA256.hexDigest(text).prefix(OutputRegion.hashLength)) }

    /// The run store's state that `run`'s output shows: each planned run's status.
    mutating func addPlannedRuns(_ runner: ExperimentRunner) throws {
        let statuses = try runner.store.statuses(ofRuns: runner.plannedRuns.map(\.id))
        for run in runner.plannedRuns { add("run \(run.id)", statuses[run.id]?.rawValue ?? "absent") }
    }

    /// The run store's state that a report of `name` shows.
    mutating func addExperiment(named name: String, in store: RunStore?) throws {
        guard let store else { return add("store", "absent") }
        guard let experiment = try store.experiment(named: name) else { return add("experiment \(name)", "absent") }
        add("experiment \(name)", String(describing: experiment))
        for run in try store.runs(of: experiment) {
            add("run \(run.id)", "\(run.status.rawValue) \(run.stepsDone) \(run.finishedAt ?? "-") \(run.error ?? "")")
        }
    }
}
