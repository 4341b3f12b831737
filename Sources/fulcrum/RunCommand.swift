import ArgumentParser
import FulcrumCore
import FulcrumExperiment

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every policy × seed of an experiment manifest into the run store.",
        discussion: "Exits 0 when every run finished, 2 when some runs failed (they are in the store with their errors).")

    @Argument(help: "The manifest, e.g. experiments/quickstart.yaml (run from the repository root).")
    var manifest: String

    @OptionGroup var storeOption: StoreOption

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
        let manifest = try Manifest.load(manifest)
        let store = try RunStore(path: storeOption.store)
        let runner = ExperimentRunner(manifest: manifest, store: store) { print($0) }
        print("\(manifest.name): \(runner.plannedRuns.count) runs (\(manifest.policies.count) policies × \(manifest.seeds.count) seeds) into \(store.path)")
        let outcomes = try runner.run()
        let failed = outcomes.filter { $0.error != nil }.count
        print("\(manifest.name): \(outcomes.count - failed) finished, \(failed) failed")
        if failed > 0 { throw ExitCode(2) }
    }
}
