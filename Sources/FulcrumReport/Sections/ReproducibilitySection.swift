import Foundation
import FulcrumExperiment

/// "## Reproducibility": what it takes to get the same numbers again — the manifest and policy files by
/// hash, the code's commit, the seeds and the machines the runs were trained on (with the OpenBLAS
/// kernels and threads, on which the last digits depend).
struct ReproducibilitySection {
    let experiment: StoredExperiment
    let runs: [StoredRun]

    var lines: [String] {
        var lines = ["## Reproducibility", "",
                     "- Manifest `\(experiment.manifestPath)`, sha256 `\(experiment.manifestHash)`; seeds "
                     + experiment.seeds.map(String.init).joined(separator: ", ") + "."]
        // A file trained under two contents (edited mid-sweep) shows both hashes: the rows then mix versions.
        var policyFiles: [String: [String: Int]] = [:]
        for run in runs where !run.policyFile.isEmpty { policyFiles[run.policyFile, default: [:]][run.policyHash, default: 0] += 1 }
        if !policyFiles.isEmpty {
            lines.append("- Policies (sha256 of the file, and of the `lib` modules it requires when it requires any):")
            for file in policyFiles.keys.sorted() {
                let hashes = policyFiles[file]!
                let described = hashes.keys.sorted().map { hashes.count == 1 ? "`\($0)`" : "`\($0)` (\(hashes[$0]!) runs)" }
                lines.append("  - `\(file)` sha256 " + described.joined(separator: ", "))
            }
        }
        lines.append("- Code: " + Self.tally(runs.map { $0.gitCommit ?? "unknown (not a git checkout)" }).map { "`\($0)`" }.joined(separator: ", ") + ".")
        lines.append("- Machine: " + Self.tally(runs.map { $0.machine ?? "unknown" }).joined(separator: "; ") + ".")
        lines.append("- Again: `fulcrum run \(experiment.manifestPath)` then `fulcrum report \(experiment.name)`; "
                     + "the same manifest, policy files and seed give the same numbers on the same OpenBLAS core type "
                     + "(`openblas_get_corename`, in the machine line of runs trained since 2026-12-06); on another the last "
                     + "digits may differ (notebooks-md/performance.md).")
        return lines
    }

    /// The distinct values in first-seen order, with their counts when there is more than one.
    private static func tally(_ values: [String]) -> [String] {
        var counts: [String: Int] = [:], order: [String] = []
        for value in values {
            if counts[value] == nil { order.append(value) }
            counts[value, default: 0] += 1
        }
        return order.count == 1 ? order : order.map { "\($0) (\(counts[$0]!) runs)" }
    }
}
