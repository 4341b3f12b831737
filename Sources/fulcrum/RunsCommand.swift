import ArgumentParser
import FulcrumExperiment

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs in the run store, with their status and cost.",
        discussion: """
            Runs are ordered by experiment, policy, sweep point and seed; every run is \
            listed, including those of earlier manifest versions (fulcrum gc --stale drops them).
            """)

    @Option(help: "Only this experiment's runs.")
    var experiment: String?

    @Option(help: "Only this policy's runs.")
    var policy: String?

    @Option(help: "Only runs in this state: running, finished, failed, diverged or interrupted.")
    var status: String?

    @Option(help: "Only runs with this seed.")
    var seed: UInt64?

    @Flag(help: "Print one JSON object per run and line (the store's column names) instead of the table.")
    var json = false

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        do {
            if let status { _ = try RunFilter.status(named: status) }
        } catch let error as StoreToolError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let filter = RunFilter(experiment: experiment, policy: policy, status: try status.map(RunFilter.status(named:)), seed: seed)
        let runs = try RunStore.existing(at: storeOption.store).listRuns(filter)
        if json {
            for run in runs { print(try RunListing.jsonLine(run)) }
        } else {
            print(RunListing.table(runs), terminator: "")
        }
    }
}
