import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumTestSupport
import Testing

@Suite("Manifest: model and training keys")
struct ManifestModelTests {
    let scratch = ScratchDirectory()

    func load(model: String, train: String? = nil, taskExtras: String = "") throws -> Manifest {
        var text = tinyManifest(policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }")
        text = text.replacingOccurrences(of: "model:\n  architecture: hard_sharing\n  trunk: [8]\n", with: model)
        if let train {
            text = text.replacingOccurrences(of: "  optimizer: adam\n  lr: 0.01\n", with: train)
        }
        text = text.replacingOccurrences(of: "    classes: 3\n", with: "    classes: 3\n" + taskExtras)
        return try Manifest.load(scratch.write("m.yaml", text))
    }

    func problems(model: String, train: String? = nil, taskExtras: String = "") throws -> [String] {
        let error = try #require(throws: ManifestError.self) { try load(model: model, train: train, taskExtras: taskExtras) }
        return error.problems.map { "\($0.keyPath): \($0.message)" }
    }

    @Test func hierarchyWithConvolutionsAndEverythingElse() throws {
        let manifest = try load(model: """
            model:
              architecture: task_hierarchy
              task_order: [level, coarse]
              image: [3, 2, 1]
              conv: [{ filters: 4, kernel: 3, padding: 1, pool: 1 }]
              trunk: [8]
              activation: gelu
              dropout: 0.1

            """, train: """
              optimizer: adamw
              lr: 0.01
              warmup_steps: 5
              schedule: cosine
              min_lr: 0.001

            """, taskExtras: "    gamma0: 2\n")
        #expect(manifest.model.architecture == .taskHierarchy(order: [1, 0]))
        #expect(manifest.networkSpec == NetworkSpec(
            input: .image(height: 3, width: 2, channels: 1),
            trunk: .cnn(convolutions: [.init(filters: 4, kernel: 3, padding: 1, pool: 1)], fullyConnected: [8], activation: .gelu, dropout: 0.1),
            architecture: .taskHierarchy(order: [1, 0]), headOutputs: [3, 1]))
        #expect(manifest.train.optimizer == .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01))
        #expect(manifest.train.schedule == LearningRateSchedule(base: 0.01, warmupSteps: 5, decay: .cosine(minimum: 0.001), totalSteps: 40))
        #expect(manifest.tasks[0].spec.loss == .focal(gamma0: 2))
    }

    @Test func hierarchyNeedsOneBlockPerTask() throws {
        #expect(try problems(model: "model:\n  architecture: task_hierarchy\n  trunk: [8, 8, 8]\n") ==
                ["model.trunk: a task hierarchy needs one block per task: 2 tasks, 3 blocks (convolutions + trunk widths)"])
    }

    @Test func taskOrderMustNameEveryTaskOnce() throws {
        #expect(try problems(model: "model:\n  architecture: task_hierarchy\n  task_order: [coarse, coarse]\n  trunk: [8, 8]\n") ==
                ["model.task_order: expected every task once (coarse, level), got coarse, coarse"])
        #expect(try problems(model: "model:\n  architecture: ubernet\n  task_order: [coarse, level]\n  trunk: [8, 8]\n") ==
                ["model.task_order: 'task_order' applies to the task_hierarchy architecture only"])
    }

    @Test func imageMustHoldTheInputs() throws {
        #expect(try problems(model: "model:\n  architecture: hard_sharing\n  image: [2, 2, 1]\n  trunk: [8]\n") ==
                ["model.image: an image of 2×2×1 holds 4 numbers, but data.input_dim is 6"])
        #expect(try problems(model: "model:\n  architecture: hard_sharing\n  conv: [{ filters: 2, kernel: 3 }]\n  trunk: [8]\n") ==
                ["model.conv: convolutions need 'model.image: [height, width, channels]' to read the inputs as images"])
    }

    @Test func focalAppliesToCrossEntropyOnly() throws {
        let text = tinyManifest(policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }")
            .replacingOccurrences(of: "    tolerance: 0.3\n", with: "    tolerance: 0.3\n    gamma0: 1\n")
        let error = try #require(throws: ManifestError.self) { try Manifest.load(scratch.write("f.yaml", text)) }
        #expect(error.problems.map(\.message) == ["'gamma0' (the focal loss) applies to cross-entropy losses of classification, binary and segmentation tasks"])
    }

    @Test func scheduleKeysBelongToTheirSchedule() throws {
        #expect(try problems(model: "model:\n  architecture: hard_sharing\n  trunk: [8]\n",
                             train: "  optimizer: sgd\n  lr: 0.01\n  schedule: step\n  min_lr: 0.1\n") ==
                ["train.step_every: missing required key 'step_every'", "train.min_lr: 'min_lr' applies to 'schedule: cosine' only"])
        #expect(try problems(model: "model:\n  architecture: hard_sharing\n  trunk: [8]\n",
                             train: "  optimizer: sgd\n  lr: 0.01\n  hold_final: 0.2\n") ==
                ["train.hold_final: 'hold_final' applies to 'schedule: cosine' only"])
        #expect(try problems(model: "model:\n  architecture: hard_sharing\n  trunk: [8]\n",
                             train: "  optimizer: sgd\n  lr: 0.01\n  schedule: cosine\n  hold_final: 0.95\n") ==
                ["train.hold_final: expected a fraction of the steps in [0, 0.9], got '0.95'"])
        #expect(try problems(model: "model:\n  architecture: hard_sharing\n  trunk: [8]\n",
                             train: "  optimizer: sgd\n  lr: 0.01\n  schedule: cosine\n  hold_final: 0.2\n") ==
                ["train.hold_final: 'hold_final' holds min_lr, which is 0 here: the held steps would not train; give min_lr > 0"])
        let held = try load(model: "model:\n  architecture: hard_sharing\n  trunk: [8]\n",
                            train: "  optimizer: sgd\n  lr: 0.01\n  schedule: cosine\n  min_lr: 0.001\n  hold_final: 0.2\n")
        #expect(held.train.schedule.decay == .cosine(minimum: 0.001, holdFinal: 0.2))
    }

    @Test func everyArchitectureRunsEndToEnd() throws {
        for (name, model) in [("hierarchy", "model:\n  architecture: task_hierarchy\n  trunk: [8, 8]\n"),
                              ("ubernet", "model:\n  architecture: ubernet\n  trunk: [8, 8]\n"),
                              ("cnn", "model:\n  architecture: hard_sharing\n  image: [3, 2, 1]\n  conv: [{ filters: 2, kernel: 3, padding: 1, pool: 1 }]\n  trunk: [8]\n")] {
            let manifest = try load(model: model)
            let store = try RunStore(path: "\(scratch.path)/\(name).sqlite")
            let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
            #expect(outcomes.allSatisfy { $0.error == nil }, "\(name): \(outcomes.compactMap(\.error))")
        }
    }
}
