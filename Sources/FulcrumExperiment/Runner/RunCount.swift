/// How a manifest expands into runs, for `fulcrum run`'s first line and `--dry-run`:
/// "2 policies (4 option points) × 24 definitions × 3 seeds + 4 single-task baselines × 3 seeds".
public struct RunCount: Sendable, CustomStringConvertible {
    public let policies: Int
    public let optionPoints: Int
    public let definitions: Int
    public let seeds: Int
    public let baselines: Int
    /// Runs of generations after the first (planned as the earlier ones end), over all chains.
    public let laterGenerations: Int

    public init(_ manifest: Manifest) {
        policies = manifest.policies.count
        optionPoints = manifest.policies.map(\.optionPoints.count).reduce(0, +)
        definitions = manifest.definitions.count
        seeds = manifest.seeds.count
        baselines = manifest.baselineDefinitions.count
        laterGenerations = manifest.policies.map { policy in
            (policy.generations - 1) * policy.optionPoints.count * manifest.definitionsTrained(by: policy).count * manifest.seeds.count
        }.reduce(0, +)
    }

    public var total: Int { (optionPoints * definitions + baselines) * seeds + laterGenerations }

    public var description: String {
        var text = "\(policies) \(policies == 1 ? "policy" : "policies")"
        if optionPoints != policies { text += " (\(optionPoints) option points)" }
        if definitions > 1 { text += " × \(definitions) definitions" }
        text += " × \(seeds) \(seeds == 1 ? "seed" : "seeds")"
        if baselines > 0 { text += " + \(baselines) single-task \(baselines == 1 ? "baseline" : "baselines") × \(seeds) \(seeds == 1 ? "seed" : "seeds")" }
        if laterGenerations > 0 { text += " + \(laterGenerations) runs of later generations, planned as the earlier ones end" }
        return text
    }
}
