import ArgumentParser
import FulcrumExperiment

/// How a manifest is run: as itself or as another experiment (`--as`, `--policies`, `--baseline`), in
/// full or in its quick form. One definition, parsed by the same argument parser, for `fulcrum run`
/// and for a notebook's `run` command.
public struct ManifestFormArguments: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Train the manifest's quick form, a small version for CI and smoke tests, as experiment NAME-quick.",
        discussion: """
            The first seed; at most 512 training and 256 validation and test examples; at most 20 steps \
            (epochs become steps), the batch, evaluation cadence, warm-up (a quarter of the steps) and step \
            schedule (half) fitted to them, record_every 1; the first 2 distinct values of each swept key (2 task \
            orders for permutations); the same clamping in policy overrides; no report.output (`fulcrum report \
            NAME-quick` prints to standard output). See experiments/README.md, "Quick form".
            """))
    public var quick = false

    @Option(name: .customLong("as"), help: ArgumentHelp(
        "Train the manifest as experiment NAME (with --quick: NAME-quick), without report.output.", valueName: "NAME"))
    public var experimentName: String?

    @Option(help: "With --as: keep only these policies of the manifest, in this order, e.g. equal,dtp.")
    public var policies: String?

    @Option(help: "With --as: the experiment's report.baseline, one of the policies kept.")
    public var baseline: String?

    public init() {}

    public func validate() throws {
        if experimentName == nil, let option = policies != nil ? "--policies" : baseline != nil ? "--baseline" : nil {
            throw ValidationError("\(option) needs --as NAME: a manifest with other policies or another baseline is an experiment of its own")
        }
    }

    /// The policies `--policies` keeps, in order.
    public var keptPolicies: [String]? { policies.map { $0.split(separator: ",").map(String.init) } }

    /// The alias `--as` asks for (nil: the manifest as itself); `addedPolicies` are a notebook's inline ones.
    public func alias(addedPolicies: [String: String] = [:]) -> ExperimentAlias? {
        experimentName.map { ExperimentAlias(name: $0, policies: keptPolicies, addedPolicies: addedPolicies, baseline: baseline) }
    }

    /// The manifest at `path` in this form.
    public func load(_ path: String, addedPolicies: [String: String] = [:]) throws -> Manifest {
        try Manifest.load(path, quick: quick, as: alias(addedPolicies: addedPolicies))
    }
}
