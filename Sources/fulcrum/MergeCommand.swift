import ArgumentParser
import FulcrumExperiment

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge other run stores into the run store (--store), e.g. the shards of a sweep.",
        discussion: """
            After `fulcrum run M.yaml --shard i/N --store runs/shard-i.sqlite` on N machines: \
            `fulcrum merge runs/shard-*.sqlite`. Each source is merged in one transaction: its runs are \
            copied with all their rows, except runs the target already holds as finished; experiments \
            take the newer manifest record. Merging the same store twice changes nothing.
            """)

    @Argument(help: "The stores to merge in.")
    var sources: [String]

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one store to merge") }
    }

    func run() throws {
        // Every source is checked before the target is opened (or created) and the first is merged:
        // a typo does not leave a half-merged target.
        for source in sources { try RunStore.checkMergeSource(source, into: storeOption.store) }
        let target = try RunStore(path: storeOption.store)
        for source in sources { print(try target.merge(from: source).line) }
    }
}
