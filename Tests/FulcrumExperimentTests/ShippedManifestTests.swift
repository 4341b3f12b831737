import Foundation
import FulcrumExperiment
import FulcrumTestSupport
import Testing

/// Every manifest in experiments/ validates, and its quick form trains end to end.
@Suite("Shipped manifests")
struct ShippedManifestTests {
    static let manifests = ["quickstart", "fashion-mnist", "dtp-table1", "dtp-table1-gradients", "dtp-table1-meta", "dtp-table1-search", "dtp-table2", "dtp-fig4-orderings",
                            "dtp-table3-architectures", "gradnorm-toy", "gradnorm-toy-t2", "multifashion"]
    let scratch = ScratchDirectory()

    @Test func everyManifestInTheDirectoryIsListedHere() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "experiments").filter { $0.hasSuffix(".yaml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.manifests))
    }

    @Test(arguments: manifests)
    func validatesAndItsQuickFormTrains(name: String) throws {
        let full = try Manifest.load("experiments/\(name).yaml")
        #expect(full.report.output == "notebooks-md/\(name).md")
        #expect(full.name == name)

        let quick = try Manifest.load("experiments/\(name).yaml", quick: true)
        #expect(quick.name == "\(name)-quick" && quick.report.output == nil && quick.seeds == [full.seeds[0]])
        let store = try RunStore(path: "\(scratch.path)/\(name).sqlite")
        let outcomes = try ExperimentRunner(manifest: quick, store: store).run(RunSelection(jobs: 2))
        #expect(!outcomes.isEmpty)
        #expect(outcomes.allSatisfy { $0.status == .finished }, "\(outcomes.compactMap(\.error))")
        // Every data set but the synthetic one has a test split, evaluated before the first step and after the last.
        for outcome in outcomes {
            let steps = try store.evaluations(ofRun: outcome.run.id, split: .test).map(\.step)
            #expect(steps == (full.data.testSize > 0 ? [0, outcome.run.definition.train.steps] : []), "\(outcome.run.label)")
        }
    }
}
