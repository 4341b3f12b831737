import ArgumentParser
import FulcrumExperiment

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the run store as tidy CSV files for pandas.",
        discussion: """
            Writes experiments.csv, runs.csv (every run column), steps.csv, evaluations.csv and logs.csv \
            into the directory. Every per-step row carries experiment, run_id, policy, point (the sweep point) and seed, \
            and tasks by name. A run is current when its manifest_hash equals its experiment's. \
            With --memory, writes instead what the runs of policies that remember left (one experiment, \
            optionally one policy) as the JSON array of records that `policy check --memory` and \
            `policy replay --memory` read.
            """)

    @Option(help: "The directory to write the CSV files into (created if needed).")
    var csv: String?

    @Option(help: "The JSON file to write the memory records into (with exactly one --experiment).")
    var memory: String?

    @Option(help: "With --memory: only this policy's records.")
    var policy: String?

    @Option(help: "Only this experiment (repeat for several; default: all).")
    var experiment: [String] = []

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        if (csv == nil) == (memory == nil) { throw ValidationError("give --csv DIR or --memory FILE (one of them)") }
        if memory != nil, experiment.count != 1 { throw ValidationError("--memory needs exactly one --experiment") }
        if policy != nil, memory == nil { throw ValidationError("--policy selects memory records: give --memory FILE too") }
    }

    func run() throws {
        let store = try RunStore.existing(at: storeOption.store)
        if let memory {
            let count = try store.exportMemory(of: experiment[0], policy: policy, to: memory)
            print("wrote \(memory) (\(count) record\(count == 1 ? "" : "s"))")
            return
        }
        guard let csv else { return }
        let tables = try store.exportCSV(to: csv, experiments: experiment)
        for table in tables { print("wrote \(table.path) (\(table.rows) row\(table.rows == 1 ? "" : "s"))") }
    }
}
