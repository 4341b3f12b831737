import ArgumentParser
import FulcrumExperiment
import FulcrumReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an experiment's Markdown report from the run store.")

    @Argument(help: "The experiment's name (the manifest's `name`).")
    var experiment: String

    @Option(name: [.short, .long], help: "Where to write the report; default: the manifest's report.output, else standard output.")
    var output: String?

    @Option(help: "Which KPI of each run the comparison reads: final (after the last step; on the test split when the data has one) final-validation (after the last step, on the validation split: for choosing settings without reading the test split) or best-validation (the evaluation with the best mean validation KPI).")
    var select: KPISelection = .final

    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let store = try RunStore.existing(at: storeOption.store)
        let report = try ExperimentReport(experimentNamed: experiment, store: store, selection: select)
        guard let path = output ?? report.experiment.reportOutput else {
            print(report.markdown, terminator: "")
            return
        }
        try report.write(to: path)
        print("wrote \(path)")
    }
}

extension KPISelection: ExpressibleByArgument {}
