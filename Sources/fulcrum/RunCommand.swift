import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumReport

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of an experiment manifest (policy × sweep point × seed) into the run store.",
        discussion: """
            Runs the store already holds as finished are skipped (their id is a hash of everything that \
            defines them), so an interrupted sweep resumes where it stopped. Ctrl-C stops cleanly: the runs \
            in flight are recorded as interrupted and train again on the next `fulcrum run`; a second Ctrl-C \
            quits at once. Exits 0 when every run finished, 2 when some failed or diverged (they are in \
            the store with their errors), 130 when interrupted.
            """)

    @Argument(help: "The manifest, e.g. experiments/quickstart.yaml (run from the repository root).")
    var manifest: String

    @OptionGroup var storeOption: StoreOption

    @Option(help: "Runs trained at once, one thread each (default: the cores ÷ the manifest's train.threads).")
    var jobs: Int?

    @Flag(help: "Rerun runs the store already holds as finished.")
    var force = false

    @Option(help: "Only the runs matching every key, e.g. policy=dtp,seed=1 (repeat a key for either value).")
    var only: String?

    @Option(help: "Train only the i-th of N disjoint slices of the runs, e.g. 2/4 (merge the stores with `fulcrum merge`).")
    var shard: String?

    @Flag(help: "List the runs that would be trained, and their count, without training.")
    var dryRun = false

    @OptionGroup var form: ManifestFormArguments

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
        let manifest = try form.load(manifest)
        let jobs = jobs ?? RunSelection.defaultJobs(for: manifest)
        var selection = RunSelection(force: force, jobs: jobs)
        if let only { selection.filters = try RunSelection.parseFilters(only) }
        if let shard { selection.shard = try RunSelection.Shard.parse(shard) }
        let store = try RunStore(path: storeOption.store)
        if dryRun { return try listRuns(ExperimentRunner(manifest: manifest, store: store), selection) }

        let display = makeProgressDisplay(interactive: standardOutputIsTerminal)
        let runner = ExperimentRunner(manifest: manifest, store: store, observer: display)
        let interruption = Interruption { runner.requestStop() }
        print("\(manifest.name): \(runner.plannedRuns(selection).count) runs (\(RunCount(manifest).description)) into \(store.path), \(jobs) at a time")
        let outcomes = try runner.run(selection)
        if interruption.happened { throw ExitCode(130) }
        if outcomes.contains(where: { $0.error != nil }) { throw ExitCode(2) }
    }

    private func listRuns(_ runner: ExperimentRunner, _ selection: RunSelection) throws {
        let runs = runner.plannedRuns(selection)
        let statuses = try runner.store.statuses(ofRuns: runs.map(\.id))
        // Overrides are not part of the runs' labels (the policy's name tells its rows apart): shown here.
        for policy in runner.manifest.policies where !policy.overrides.isEmpty {
            print("\(policy.name) overrides: \(policy.overrides.map(\.description).joined(separator: " "))")
        }
        for run in runs {
            let state = statuses[run.id] == .finished && !selection.force ? "skip (finished)" : "train"
            print("\(run.id)  \(run.label)  \(state)")
        }
        let training = runs.filter { selection.force || statuses[$0.id] != .finished }.count
        print("\(runs.count) runs selected of \(runner.plannedRuns.count) (\(RunCount(runner.manifest).description)), \(training) to train")
    }
}
