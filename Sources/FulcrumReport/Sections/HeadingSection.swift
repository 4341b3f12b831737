import Foundation
import FulcrumExperiment

/// The report's title, the experiment's description, and the manifest, steps and seeds its runs trained.
struct HeadingSection {
    let experiment: StoredExperiment
    let runs: [StoredRun]

    var lines: [String] {
        var lines: [String] = ["# \(experiment.name)", ""]
        if !experiment.description.isEmpty { lines += [experiment.description.trimmingCharacters(in: .whitespacesAndNewlines), ""] }
        lines.append("Manifest `\(experiment.manifestPath)` (sha256 `\(experiment.manifestHash.prefix(12))`), "
                     + "\(stepsText) steps, seeds \(experiment.seeds.map(String.init).joined(separator: ", ")).")
        return lines
    }

    /// The runs' step count, or its range when a sweep sets it per definition.
    private var stepsText: String {
        let steps = Set(runs.map { $0.totalSteps ?? experiment.steps })
        guard let low = steps.min(), let high = steps.max(), low != high else { return "\(steps.first ?? experiment.steps)" }
        return "\(low)–\(high)"
    }
}
