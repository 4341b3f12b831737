import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment

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

    @Flag(help: ArgumentHelp(
        "Train the manifest's quick form, a small version for CI and smoke tests, as experiment NAME-quick.",
        discussion: """
            The first seed; at most 512 training and 256 validation and test examples; at most 20 steps \
            (epochs become steps), the batch, evaluation cadence, warm-up (a quarter of the steps) and step \
            schedule (half) fitted to them, record_every 1; the first 2 distinct values of each swept key (2 task \
            orders for permutations); the same clamping in policy overrides; no report.output (`fulcrum report \
            NAME-quick` prints to standard output). See experiments/README.md, "Quick form".
            """))
    var quick = false

    @Option(name: .customLong("as"), help: ArgumentHelp(
        "Train the manifest as experiment NAME (with --quick: NAME-quick), without report.output.", valueName: "NAME"))
    var experimentName: String?

    @Option(help: "With --as: keep only these policies of the manifest, in this order, e.g. equal,dtp.")
    var policies: String?

    @Option(help: "With --as: the experiment's report.baseline, one of the policies kept.")
    var baseline: String?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if experimentName == nil, policies != nil || baseline != nil {
            throw ValidationError("--policies and --baseline need --as NAME: a manifest with other policies is an experiment of its own")
        }
    }

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
        let alias = experimentName.map {
            ExperimentAlias(name: $0, policies: policies.map { $0.split(separator: ",").map(String.init) }, baseline: baseline)
        }
        let manifest = try Manifest.load(manifest, quick: quick, as: alias)
        let jobs = jobs ?? max(ProcessInfo.processInfo.activeProcessorCount / manifest.threads, 1)
        var selection = RunSelection(force: force, jobs: jobs)
        if let only { selection.filters = try RunSelection.parseFilters(only) }
        if let shard { selection.shard = try RunSelection.Shard.parse(shard) }
        let store = try RunStore(path: storeOption.store)
        if dryRun { return try listRuns(ExperimentRunner(manifest: manifest, store: store), selection) }

        let display = makeSweepProgress(interactive: standardOutputIsTerminal)
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
