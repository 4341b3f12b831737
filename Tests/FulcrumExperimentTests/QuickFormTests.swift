import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua
import FulcrumTestSupport
import Testing

@Suite("Manifest: the quick form")
struct QuickFormTests {
    let scratch = ScratchDirectory()

    /// A manifest of real size: 4096 examples, 1500 steps, three seeds, a sweep of three values.
    func big(train: String = "steps: 1500, batch_size: 64, optimizer: adam, lr: 0.01, eval_every: 250, warmup_steps: 100, record_every: 10",
             extra: String = "") -> String {
        """
        name: big
        data: { dataset: synthetic, input_dim: 6, train_size: 4096, val_size: 1024 }
        tasks:
          - { name: a, type: classification, classes: 3 }
          - { name: b, type: binary }
          - { name: c, type: regression, outputs: 1, tolerance: 0.3 }
        model: { architecture: task_hierarchy, trunk: [8, 8, 8] }
        train: { \(train) }
        seeds: [3, 1, 2]
        policies:
          equal: { script: \(repositoryRoot)/policies/equal.lua }
          dtp: { script: \(repositoryRoot)/policies/dtp.lua }
        report: { baseline: equal, output: notebooks-md/big.md }
        \(extra)
        """
    }

    func quick(_ text: String) throws -> Manifest { try Manifest.load(scratch.write("m.yaml", text), quick: true) }

    @Test func theQuickFormIsASmallSeparateExperiment() throws {
        let manifest = try quick(big(extra: """
            sweep:
              train.lr: [0.1, 0.01, 0.001]
              policies.dtp.options.gamma: [0.5, 1, 2]
              model.task_order: permutations
            """))
        #expect(manifest.name == "big-quick" && manifest.seeds == [3])
        #expect(manifest.report.baseline == "equal" && manifest.report.output == nil)
        #expect(manifest.data.trainSize == 512 && manifest.data.validationSize == 256)
        let train = manifest.train
        #expect(train.steps == 20 && train.batchSize == 64 && train.evaluationInterval == 20 && train.recordEvery == 1)
        #expect(train.schedule.warmupSteps == 5)
        // The first two values of each swept key, and the first two orders of the permutations.
        #expect(manifest.definitions.map { $0.point.map(\.description) } == [
            ["train.lr=0.1", "model.task_order=[a,b,c]"], ["train.lr=0.1", "model.task_order=[a,c,b]"],
            ["train.lr=0.01", "model.task_order=[a,b,c]"], ["train.lr=0.01", "model.task_order=[a,c,b]"],
        ])
        #expect(manifest.policies[1].optionPoints.map { $0.map(\.description) } == [["gamma=0.5"], ["gamma=1"]])
        #expect(RunCount(manifest).description == "2 policies (3 option points) × 4 definitions × 1 seed")
    }

    @Test func epochsBecomeStepsOfTheQuickSplit() throws {
        // 512 quick examples in batches of 256: 2 steps an epoch, 3 epochs.
        let manifest = try quick(big(train: "epochs: 3, batch_size: 256, optimizer: adam, lr: 0.01, eval_every: 250, warmup_steps: 10"))
        #expect(manifest.train.steps == 6 && manifest.train.batchSize == 256)
        #expect(manifest.train.evaluationInterval == 6 && manifest.train.schedule.warmupSteps == 1)
        // A batch larger than the quick split shrinks to it.
        let large = try quick(big(train: "steps: 100, batch_size: 1024, optimizer: adam, lr: 0.01, eval_every: 50"))
        #expect(large.train.batchSize == 512 && large.train.steps == 20)
    }

    @Test func sweptAndOverriddenTrainKeysAreClampedToTheFewestSteps() throws {
        let manifest = try quick(big(
            train: "steps: 1500, batch_size: 64, optimizer: adam, lr: 0.01, eval_every: 250, schedule: step, step_every: 500",
            extra: """
                sweep:
                  train.steps: [1000, 2000, 12]
                """
        ).replacingOccurrences(of: "dtp: { script: \(repositoryRoot)/policies/dtp.lua }",
                               with: "dtp: { script: \(repositoryRoot)/policies/dtp.lua, overrides: { train.step_every: 300, train.eval_every: 100 } }"))
        // 1000 and 2000 both become 20: one value, then 12, the fewest steps of any run.
        #expect(manifest.definitions.map(\.train.steps) == [20, 12])
        #expect(manifest.definitions.allSatisfy { $0.train.evaluationInterval == 12 && $0.train.schedule.decay == .step(every: 6, factor: 0.1) })
        let dtp = manifest.definitionsTrained(by: manifest.policies[1])
        #expect(dtp.allSatisfy { $0.train.evaluationInterval == 12 && $0.train.schedule.decay == .step(every: 6, factor: 0.1) })
        #expect(manifest.policies[1].overrides.map(\.description) == ["train.step_every=6", "train.eval_every=12"])
    }

    @Test func quickDefinitionsHaveTheirOwnStableHashes() throws {
        let text = big(extra: "baselines: single_task\nsweep:\n  train.lr: [0.1, 0.01, 0.001]")
        let full = try Manifest.load(scratch.write("m.yaml", text))
        let quick = try quick(text)
        let hashes = (quick.definitions + quick.baselineDefinitions).map(\.definitionHash)
        // Distinct from each other and from every full hash (quick runs never stand in for real
        // ones), and the same on every load (a quick sweep resumes).
        #expect(Set(hashes).count == hashes.count)
        #expect(Set(hashes).isDisjoint(with: (full.definitions + full.baselineDefinitions).map(\.definitionHash)))
        #expect(try self.quick(text).definitions.map(\.definitionHash) == quick.definitions.map(\.definitionHash))
        // One baseline per task and kept point, each on the data set of every task.
        #expect(quick.baselineDefinitions.map { $0.point.map(\.description) + [$0.tasks[0].spec.name] } == [
            ["train.lr=0.1", "a"], ["train.lr=0.1", "b"], ["train.lr=0.1", "c"],
            ["train.lr=0.01", "a"], ["train.lr=0.01", "b"], ["train.lr=0.01", "c"],
        ])
        #expect(quick.baselineDefinitions.allSatisfy { $0.dataTasks.map(\.spec.name) == ["a", "b", "c"] && $0.train.steps == 20 })
    }

    @Test func aManifestsOwnProblemsAreReportedAsWithoutQuick() throws {
        let file = scratch.write("bad.yaml", big().replacingOccurrences(of: "lr: 0.01", with: "lr: fast"))
        let full = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        let quick = try #require(throws: ManifestError.self) { try Manifest.load(file, quick: true) }
        #expect(quick == full && full.problems.map(\.keyPath) == ["train.lr"])
    }

    @Test func theFullManifestIsUnchanged() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", big()))
        #expect(manifest.name == "big" && manifest.seeds == [3, 1, 2] && manifest.train.steps == 1500)
        #expect(manifest.report.output == "notebooks-md/big.md")
    }
}
