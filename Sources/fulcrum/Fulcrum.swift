import ArgumentParser

@main
struct Fulcrum: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulcrum",
        abstract: "A research sandbox for multi-task learning: a Swift trainer, Lua weighting policies, manifests and reports.",
        subcommands: [RunCommand.self, ReportCommand.self, PolicyCommand.self, BenchCommand.self,
                      RunsCommand.self, ExportCommand.self, GCCommand.self, MergeCommand.self, NotebookCommand.self])
}

/// The run store option shared by the commands that read or write it.
struct StoreOption: ParsableArguments {
    @Option(name: .long, help: "The run store (SQLite).")
    var store: String = "runs/fulcrum.sqlite"
}
