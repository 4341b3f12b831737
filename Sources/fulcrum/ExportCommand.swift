import ArgumentParser
import FulcrumExperiment

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the run store as tidy CSV files for pandas.",
        discussion: """
            Writes experiments.csv, runs.csv (every run column), steps.csv, evaluations.csv and logs.csv \
            into the directory. Every per-step row carries experiment, run_id, policy, point (the sweep point) and seed, \
            and tasks by name. A run is current when its manifest_hash equals its experiment's.
            """)

    @Option(help: "The directory to write the CSV files into (created if needed).")
    var csv: String

    @Option(help: "Only this experiment (repeat for several; default: all).")
    var experiment: [String] = []

    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let tables = try RunStore.existing(at: storeOption.store).exportCSV(to: csv, experiments: experiment)
        for table in tables { print("wrote \(table.path) (\(table.rows) row\(table.rows == 1 ? "" : "s"))") }
    }
}
