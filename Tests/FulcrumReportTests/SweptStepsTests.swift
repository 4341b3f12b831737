import Foundation
import FulcrumExperiment
import FulcrumReport
import FulcrumTestSupport
import Testing

/// A sweep over `train.steps`: every run keeps its own step count, the store the longest, and the
/// report's heading gives the range — not the first definition's count for all.
@Suite("Swept step counts")
struct SweptStepsTests {
    let scratch = ScratchDirectory()

    @Test func reportAndStoreKeepEveryDefinitionsSteps() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", """
            name: steps
            data: { dataset: synthetic, input_dim: 2, train_size: 8, val_size: 8 }
            tasks:
              - { name: first, type: classification, classes: 2 }
              - { name: second, type: binary }
            model: { architecture: hard_sharing, trunk: [4] }
            train: { steps: 3, batch_size: 4, optimizer: sgd, lr: 0.1, eval_every: 2 }
            seeds: [1]
            sweep: { train.steps: [2, 4] }
            policies:
              equal: { script: \(repositoryRoot)/policies/equal.lua }
            """))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(outcomes.allSatisfy { $0.status == .finished })
        let experiment = try #require(try store.experiment(named: "steps"))
        #expect(experiment.steps == 4)
        #expect(Set(try store.runs(of: experiment).compactMap(\.totalSteps)) == [2, 4])
        let markdown = try ExperimentReport(experimentNamed: "steps", store: store).markdown
        #expect(markdown.contains("), 2–4 steps, seeds 1."))
    }
}
