import Foundation
@testable import FulcrumExperiment
import FulcrumTestSupport
import Testing

/// The ids and stored sweep points of every shipped manifest's runs (full, quick, and one `--as`
/// form in full and quick) are pinned in `Golden/run-definitions.tsv`. A run's id is how the store finds its finished
/// runs and how a committed report names its data: a change here re-trains every affected run and
/// leaves the committed reports without a store. When a change to a manifest or a policy file is
/// meant to change them, regenerate the file (the failure message says how) and rerun the
/// manifests whose lines changed.
@Suite("Run identity")
struct RunIdentityTests {
    static let golden = "\(repositoryRoot)/Tests/FulcrumExperimentTests/Golden/run-definitions.tsv"

    /// One line per planned run: experiment, id, stored sweep point (JSON), label.
    static func listing() throws -> String {
        let scratch = ScratchDirectory()
        let store = try RunStore(path: "\(scratch.path)/plan.sqlite")
        var lines: [String] = []
        let asForm = ExperimentAlias(name: "table1-as", policies: ["dtp_hard", "uniform"], baseline: "uniform")
        for name in ShippedManifestTests.manifests {
            let file = "experiments/\(name).yaml"
            var forms = [try Manifest.load(file), try Manifest.load(file, quick: true)]
            if name == "dtp-table1" { forms += [try Manifest.load(file, as: asForm), try Manifest.load(file, quick: true, as: asForm)] }
            for manifest in forms {
                for run in ExperimentRunner(manifest: manifest, store: store).plannedRuns {
                    lines.append([manifest.name, run.id, run.point.json, run.label].joined(separator: "\t"))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func plannedRunsMatchTheGoldenListing() throws {
        let actual = try Self.listing()
        let expected = try String(contentsOfFile: Self.golden, encoding: .utf8)
        guard actual != expected else { return }
        let written = "/tmp/run-definitions.actual.tsv"
        try actual.write(toFile: written, atomically: true, encoding: .utf8)
        let old = Set(expected.split(separator: "\n")), new = Set(actual.split(separator: "\n"))
        let gone = expected.split(separator: "\n").filter { !new.contains($0) }.prefix(5)
        let added = actual.split(separator: "\n").filter { !old.contains($0) }.prefix(5)
        Issue.record("""
            planned runs differ from \(Self.golden) (\(old.subtracting(new).count) lines gone, \(new.subtracting(old).count) new).
            gone: \(gone.joined(separator: "\n      "))
            new:  \(added.joined(separator: "\n      "))
            If the change is meant, copy \(written) over the golden file and rerun the manifests whose lines changed.
            """)
    }
}
