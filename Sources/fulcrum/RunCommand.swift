import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every policy × seed of an experiment manifest into the run store.",
        discussion: """
            Runs the store already holds as finished are skipped (their id is a hash of everything that \
            defines them), so an interrupted sweep resumes where it stopped. Exits 0 when every run \
            finished, 2 when some runs failed (they are in the store with their errors).
            """)

    @Argument(help: "The manifest, e.g. experiments/quickstart.yaml (run from the repository root).")
    var manifest: String

    @OptionGroup var storeOption: StoreOption

    @Option(help: "Runs trained at once, one thread each (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Rerun runs the store already holds as finished.")
    var force = false

    @Option(help: "Only the runs matching every key, e.g. policy=dtp,seed=1 (repeat a key for either value).")
    var only: String?

    @Flag(help: "List the runs that would be trained, and their count, without training.")
    var dryRun = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
        let manifest = try Manifest.load(manifest)
        var selection = RunSelection(force: force, jobs: jobs)
        if let only { selection.filters = try RunSelection.parseFilters(only) }
        let store = try RunStore(path: storeOption.store)
        let runner = ExperimentRunner(manifest: manifest, store: store) { print($0) }
        if dryRun { return try listRuns(runner, selection) }
        print("\(manifest.name): \(runner.plannedRuns.count) runs (\(manifest.policies.count) policies × \(manifest.seeds.count) seeds) into \(store.path), \(jobs) at a time")
        let outcomes = try runner.run(selection)
        let failed = outcomes.filter { $0.error != nil }.count
        let skipped = outcomes.filter(\.skipped).count
        print("\(manifest.name): \(outcomes.count - failed - skipped) finished, \(skipped) skipped (finished earlier), \(failed) failed")
        if failed > 0 { throw ExitCode(2) }
    }

    private func listRuns(_ runner: ExperimentRunner, _ selection: RunSelection) throws {
        let runs = runner.plannedRuns(selection)
        let statuses = try runner.store.statuses(ofRuns: runs.map(\.id))
        for run in runs {
            let state = statuses[run.id] == .finished && !selection.force ? "skip (finished)" : "train"
            print("\(run.id)  \(run.policy.name)  seed \(run.seed)  \(state)")
        }
        let training = runs.filter { selection.force || statuses[$0.id] != .finished }.count
        print("\(runs.count) runs selected, \(training) to train")
    }
}
