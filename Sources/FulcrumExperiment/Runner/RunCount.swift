/// How a manifest expands into runs, for `fulcrum run`'s first line and `--dry-run`:
/// "2 policies (4 option points) × 24 definitions × 3 seeds + 4 single-task baselines × 3 seeds".
public struct RunCount: Sendable, CustomStringConvertible {
    public let policies: Int
    public let optionPoints: Int
    public let definitions: Int
    public let seeds: Int
    public let baselines: Int

    public init(_ manifest: Manifest) {
        policies = manifest.policies.count
        optionPoints = manifest.policies.map(\.optionPoints.count).reduce(0, +)
        definitions = manifest.definitions.count
        seeds = manifest.seeds.count
        baselines = manifest.baselineDefinitions.count
    }

    public var total: Int { (optionPoints * definitions + baselines) * seeds }

    public var description: String {
        var text = "\(policies) \(policies == 1 ? "policy" : "policies")"
        if optionPoints != policies { text += " (\(optionPoints) option points)" }
        if definitions > 1 { text += " × \(definitions) definitions" }
        text += " × \(seeds) \(seeds == 1 ? "seed" : "seeds")"
        if baselines > 0 { text += " + \(baselines) single-task \(baselines == 1 ? "baseline" : "baselines") × \(seeds) \(seeds == 1 ? "seed" : "seeds")" }
        return text
    }
}
