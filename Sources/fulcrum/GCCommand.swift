import ArgumentParser
import FulcrumExperiment

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Drop the experiments whose manifest is gone, with their runs, and reclaim the space.",
        discussion: """
            Manifest paths are resolved against the current directory (run it from the repository root, \
            like fulcrum run). --stale also drops the runs the current manifest no longer reports: runs \
            retired after a policy or training edit, and runs of older versions of the manifest.
            """)

    @Flag(help: "Also drop runs of older manifest versions and retired runs.")
    var stale = false

    @Flag(help: "Print what would be dropped without deleting anything.")
    var dryRun = false

    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let collection = try RunStore.existing(at: storeOption.store).collectGarbage(stale: stale, dryRun: dryRun)
        for line in collection.lines { print(line) }
    }
}
