import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumReport

struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Run a Markdown notebook's fulcrum blocks and rewrite their output regions in place.",
        discussion: """
            A ```fulcrum block holds commands, one a line: `run MANIFEST [--quick] [--as NAME] \
            [--policies A,B,…] [--baseline NAME]` and `report EXPERIMENT [--table | --figures KIND,…]`. \
            A ```lua policy=NAME block is saved as NOTEBOOK/policies/NAME.lua beside the notebook, and \
            `run … --as X --policies …,NAME` runs it; `report … --figures` writes the SVG files into \
            NOTEBOOK/EXPERIMENT/ and links them. Each block's output goes between \
            `<!-- fulcrum:output sha256=… -->` and `<!-- /fulcrum:output -->` below it; a block whose \
            inputs (its commands, the files it reads, its runs in the store) did not change is not run \
            again. Everything else in the file is left byte for byte. Stops at the first failing block, \
            with the error in its region, and exits 1. Run from the repository root.
            """)

    @Argument(help: "The notebook, e.g. notebooks-md/writing-a-policy.md.")
    var file: String

    @OptionGroup var storeOption: StoreOption

    @Flag(help: "Run every block, even those whose inputs did not change (finished runs are still not retrained).")
    var force = false

    @Option(help: "Runs trained at once by `run` commands (default: the cores ÷ the manifest's train.threads).")
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
        let session = NotebookSession(path: file, storePath: storeOption.store)
        session.force = force
        session.jobs = jobs
        session.makeObserver = { makeProgressDisplay(interactive: standardOutputIsTerminal) }
        try session.run { print($0) }
    }
}
