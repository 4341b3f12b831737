import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumTestSupport
import Testing

@Suite("Manifest: image and toy data sets")
struct ManifestDataTests {
    let scratch = ScratchDirectory()

    func manifest(data: String, tasks: String, model: String = "  architecture: hard_sharing\n  trunk: [16]") -> String {
        """
        name: data
        data:
        \(data)
        tasks:
        \(tasks)
        model:
        \(model)
        train: { steps: 4, batch_size: 8, optimizer: adam, lr: 0.01, eval_every: 2 }
        seeds: [1]
        policies:
          equal: { script: \(repositoryRoot)/policies/equal.lua }
        baselines: single_task
        """
    }

    let sceneData = "  dataset: fashion_scenes\n  train_size: 32\n  val_size: 16\n  test_size: 8\n  canvas: 32\n  clutter: 1"
    let sceneTasks = """
          - { name: class, type: classification, classes: 10 }
          - { name: mask, type: segmentation, height: 32, width: 32 }
          - { name: box, type: detection }
          - { name: points, type: keypoints, count: 4 }
        """

    @Test func fashionScenesTrainEveryKindOfTaskAndTheirBaselines() throws {
        let loaded = try Manifest.load(scratch.write("m.yaml", manifest(data: sceneData, tasks: sceneTasks)))
        #expect(loaded.data.inputDimension == 32 * 32 && loaded.data.testSize == 8 && loaded.data.scale == 0.6...1.0)
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: loaded, store: store).run(RunSelection(jobs: 2))
        #expect(outcomes.map(\.run.label) == ["equal seed 1", "single_task task=class seed 1", "single_task task=mask seed 1",
                                              "single_task task=box seed 1", "single_task task=points seed 1"])
        #expect(outcomes.allSatisfy { $0.status == .finished }, "\(outcomes.compactMap(\.error))")
        let run = try #require(outcomes.first)
        let final = try #require(try store.evaluations(ofRun: run.run.id).last)
        #expect(final.kpi.count == 4 && final.kpi.allSatisfy { (0...1).contains($0) } && final.loss.allSatisfy(\.isFinite))
    }

    @Test func theToyAndMultiFashionLoad() throws {
        let toy = try Manifest.load(scratch.write("t.yaml", manifest(
            data: "  dataset: gradnorm_toy\n  train_size: 64\n  val_size: 16\n  scales: [1, 100]",
            tasks: "  - { name: a, type: regression, outputs: 100, tolerance: 0.1 }\n  - { name: b, type: regression, outputs: 100, tolerance: 10 }")))
        #expect(toy.data.inputDimension == 250 && toy.data.scales == [1, 100] && toy.data.testSize == 16 && !toy.data.freshBatches)
        let pair = try Manifest.load(scratch.write("p.yaml", manifest(
            data: "  dataset: multi_fashion\n  train_size: 64\n  val_size: 16\n  shift: 2",
            tasks: "  - { name: left, type: classification, classes: 10 }\n  - { name: right, type: classification, classes: 10 }")))
        #expect(pair.data.inputDimension == 36 * 36 && pair.data.shift == 2)
    }

    /// `fresh_batches: true` draws every training batch anew; it is part of the runs' definition (a
    /// different id from the fixed-set runs), and a single-task baseline trains on the same draws.
    @Test func theToyDrawsFreshBatchesWhenAsked() throws {
        let tasks = "  - { name: a, type: regression, outputs: 100, tolerance: 0.1 }\n  - { name: b, type: regression, outputs: 100, tolerance: 10 }"
        let fixed = try Manifest.load(scratch.write("fixed.yaml", manifest(
            data: "  dataset: gradnorm_toy\n  train_size: 64\n  val_size: 16\n  scales: [1, 100]", tasks: tasks)))
        let fresh = try Manifest.load(scratch.write("fresh.yaml", manifest(
            data: "  dataset: gradnorm_toy\n  train_size: 64\n  val_size: 16\n  scales: [1, 100]\n  fresh_batches: true", tasks: tasks)))
        #expect(fresh.data.freshBatches && fresh.definitionHash != fixed.definitionHash)
        let store = try RunStore(path: "\(scratch.path)/fresh.sqlite")
        let outcomes = try ExperimentRunner(manifest: fresh, store: store).run(RunSelection(jobs: 1))
        #expect(outcomes.map(\.run.label) == ["equal seed 1", "single_task task=a seed 1", "single_task task=b seed 1"])
        #expect(outcomes.allSatisfy { $0.status == .finished }, "\(outcomes.compactMap(\.error))")
    }

    /// `data.seed: [a, b]` cycles over the manifest's seeds in their order: seeds 1, 2, 3 train on
    /// data seeds 7, 9, 7, so runs with the same seed share their data whatever the policy.
    @Test func aListOfDataSeedsIsCycledOverTheRunSeeds() throws {
        let text = manifest(data: "  dataset: synthetic\n  input_dim: 4\n  train_size: 32\n  val_size: 8\n  seed: [7, 9]",
                            tasks: "  - { name: a, type: binary }").replacingOccurrences(of: "seeds: [1]", with: "seeds: [1, 2, 3]")
        let loaded = try Manifest.load(scratch.write("seeds.yaml", text))
        #expect(loaded.data.seeds == [7, 9] && loaded.data.seed == 7)
        #expect([1, 2, 3].map { loaded.data.dataSeed(forRunSeed: $0, of: loaded.seeds) } == [7, 9, 7])
        let single = try Manifest.load(scratch.write("one.yaml", manifest(data: "  dataset: synthetic\n  input_dim: 4\n  train_size: 32\n  val_size: 8\n  seed: 5",
                                                                           tasks: "  - { name: a, type: binary }")))
        #expect(single.data.seeds.isEmpty && single.data.dataSeed(forRunSeed: 1, of: single.seeds) == 5)
    }

    /// Each bad data section or task list, and the exact problems.
    @Test(arguments: [
        ("  dataset: synthetic\n  input_dim: 4\n  train_size: 32\n  val_size: 8\n  clutter: 2", "  - { name: a, type: binary }",
         ["data.clutter: 'clutter' applies to fashion_scenes only, not synthetic"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8\n  input_dim: 4", "  - { name: a, type: detection }",
         ["data.input_dim: 'input_dim' applies to synthetic only, not fashion_scenes"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8\n  scale: [0.5, 2]", "  - { name: a, type: detection }",
         ["data.scale[1]: expected [low, high] with 0.25 ≤ low ≤ high ≤ 1.42857 (the item must fit the canvas), got '2'"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8\n  path: /nowhere", "  - { name: a, type: detection }",
         ["data.path: fashion_scenes reads Fashion-MNIST, but /nowhere/train-images-idx3-ubyte.gz does not exist: install the Debian package dataset-fashion-mnist (make deps)"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8", "  - { name: a, type: segmentation, height: 28, width: 28 }\n  - { name: b, type: classification, classes: 3 }",
         ["tasks[0].type: fashion_scenes makes classification (classes: 10), segmentation (height and width: the canvas, 40), detection and keypoints (count: 4) tasks",
          "tasks[1].type: fashion_scenes makes classification (classes: 10), segmentation (height and width: the canvas, 40), detection and keypoints (count: 4) tasks"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8\n  clutter_kind: stripes\n  clutter_size: 1", "  - { name: a, type: detection }",
         ["data.clutter_kind: expected one of: items, blobs, got 'stripes'", "data.clutter_size: expected an integer ≥ 2, got '1'"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8\n  labels: coarse", "  - { name: a, type: classification, classes: 10 }",
         ["tasks[0].type: fashion_scenes makes classification (classes: 5), segmentation (height and width: the canvas, 40), detection and keypoints (count: 4) tasks"]),
        ("  dataset: fashion_scenes\n  train_size: 32\n  val_size: 8\n  labels: medium", "  - { name: a, type: detection }",
         ["data.labels: expected one of: fine, coarse, got 'medium'"]),
        ("  dataset: synthetic\n  input_dim: 4\n  train_size: 32\n  val_size: 8\n  seed: []", "  - { name: a, type: binary }",
         ["data.seed: expected an integer ≥ 0 or a non-empty list of them"]),
        ("  dataset: synthetic\n  input_dim: 4\n  train_size: 32\n  val_size: 8\n  seed: [1, -2]", "  - { name: a, type: binary }",
         ["data.seed[1]: expected an integer ≥ 0, got '-2'"]),
        ("  dataset: multi_fashion\n  train_size: 32\n  val_size: 8", "  - { name: a, type: classification, classes: 10 }",
         ["tasks: multi_fashion makes two classification tasks (classes: 10): the top-left item, then the bottom-right one"]),
        ("  dataset: gradnorm_toy\n  train_size: 32\n  val_size: 8\n  scales: [1, 2, 3]", "  - { name: a, type: regression, outputs: 100, tolerance: 1 }",
         ["data.scales: expected one scale σ per task (1), got 3"]),
        ("  dataset: gradnorm_toy\n  train_size: 32\n  val_size: 8\n  fresh_batches: 1", "  - { name: a, type: regression, outputs: 100, tolerance: 1 }",
         ["data.fresh_batches: expected true or false, got '1'"]),
        ("  dataset: synthetic\n  input_dim: 4\n  train_size: 32\n  val_size: 8\n  fresh_batches: true", "  - { name: a, type: binary }",
         ["data.fresh_batches: 'fresh_batches' applies to gradnorm_toy only, not synthetic"]),
        ("  dataset: gradnorm_toy\n  train_size: 32\n  val_size: 8", "  - { name: a, type: regression, outputs: 5, tolerance: 1, noise: 0.1 }",
         ["tasks[0].noise: 'noise' applies to the synthetic data set only", "tasks[0].type: gradnorm_toy makes regression tasks (outputs: 100)"]),
    ])
    func badDataNamesTheKeyAndWhatWasExpected(data: String, tasks: String, expected: [String]) throws {
        let text = manifest(data: data, tasks: tasks).replacingOccurrences(of: "baselines: single_task", with: "")
        let error = try #require(throws: ManifestError.self) { try Manifest.load(scratch.write("bad.yaml", text)) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == expected)
    }
}
