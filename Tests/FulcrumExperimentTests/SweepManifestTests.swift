import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua
import FulcrumTestSupport
import Testing

@Suite("Manifest sweeps and baselines")
struct SweepManifestTests {
    let scratch = ScratchDirectory()
    let equal = "  equal: { script: \(repositoryRoot)/policies/equal.lua }"
    let dtp = "  dtp: { script: \(repositoryRoot)/policies/dtp.lua }"

    /// The tiny manifest with `extra` appended (a sweep, baselines).
    func load(_ extra: String, seeds: String = "[1, 2]", policies: String? = nil, edit: (String) -> String = { $0 }) throws -> Manifest {
        try Manifest.load(scratch.write("m.yaml", edit(tinyManifest(seeds: seeds, policies: policies ?? equal + "\n" + dtp)) + "\n" + extra))
    }

    /// Three tasks in a task hierarchy of three blocks.
    func hierarchy(_ text: String) -> String {
        text.replacingOccurrences(of: "    tolerance: 0.3\n", with: "    tolerance: 0.3\n  - name: side\n    type: binary\n")
            .replacingOccurrences(of: "  architecture: hard_sharing\n  trunk: [8]", with: "  architecture: task_hierarchy\n  trunk: [8, 8, 8]")
    }

    @Test func runsMultiplyOptionPointsDefinitionsAndSeeds() throws {
        let manifest = try load("""
            sweep:
              policies.dtp.options.gamma: [0.5, 1, 2]
              train.lr: [0.01, 0.003]
            """)
        #expect(manifest.policies.map(\.optionPoints.count) == [1, 3])
        #expect(manifest.definitions.map { $0.train.schedule.base } == [0.01, 0.003])
        #expect(manifest.definitions.map { $0.point.map(\.description) } == [["train.lr=0.01"], ["train.lr=0.003"]])
        let count = RunCount(manifest)
        #expect(count.total == (1 + 3) * 2 * 2)
        #expect(count.description == "2 policies (4 option points) × 2 definitions × 2 seeds")

        let runs = ExperimentRunner(manifest: manifest, store: try RunStore(path: "\(scratch.path)/s.sqlite")).plannedRuns
        #expect(runs.count == 16 && Set(runs.map(\.id)).count == 16)
        #expect(runs.filter { $0.policy.name == "dtp" }.map { $0.options["gamma"] } ==
                [0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 2, 2, 2, 2].map { SettingValue.number($0) })
        #expect(runs.filter { $0.policy.name == "dtp" }.prefix(4).map(\.label) ==
                ["dtp gamma=0.5 train.lr=0.01 seed 1", "dtp gamma=0.5 train.lr=0.01 seed 2",
                 "dtp gamma=0.5 train.lr=0.003 seed 1", "dtp gamma=0.5 train.lr=0.003 seed 2"])
        // The option point overrides the entry's options; the others keep their defaults.
        #expect(runs.first { $0.policy.name == "dtp" }?.options == ["gamma": .number(0.5)])
    }

    @Test func sweepingOneValueIsWritingItAndAddingAValueKeepsTheOtherIDs() throws {
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let ids = { (manifest: Manifest) in Set(ExperimentRunner(manifest: manifest, store: store).plannedRuns.map(\.id)) }
        let written = try ids(load("", edit: { $0.replacingOccurrences(of: "  lr: 0.01", with: "  lr: 0.003") }))
        let one = try ids(load("sweep:\n  train.lr: [0.003]"))
        let two = try ids(load("sweep:\n  train.lr: [0.003, 0.03]"))
        #expect(written == one)
        #expect(one.isSubset(of: two) && two.count == 2 * one.count)
    }

    @Test func permutationsGiveEveryTaskOrderAndBaselinesOneRunPerTask() throws {
        let manifest = try load("sweep:\n  model.task_order: permutations\nbaselines: single_task", seeds: "[1]", policies: equal, edit: hierarchy)
        #expect(manifest.definitions.count == 6)
        let orders = manifest.definitions.map { definition -> [Int] in
            guard case let .taskHierarchy(order) = definition.model.architecture else { return [] }
            return order
        }
        #expect(orders == [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])
        #expect(manifest.definitions[3].point.map(\.description) == ["model.task_order=[level,side,coarse]"])
        #expect(Set(manifest.definitions.map(\.definitionHash)).count == 6)

        // One baseline per task, not per order: a single task has no order.
        #expect(manifest.baselineDefinitions.map(\.taskPositions) == [[0], [1], [2]])
        #expect(manifest.baselineDefinitions.map { $0.tasks.map(\.spec.name) } == [["coarse"], ["level"], ["side"]])
        #expect(manifest.baselineDefinitions.allSatisfy { $0.model.architecture == .hardSharing && $0.model.trunk == [8, 8, 8] })
        #expect(manifest.baselineDefinitions.map(\.label) == ["task=coarse", "task=level", "task=side"])
        #expect(RunCount(manifest).total == 6 + 3)
        #expect(RunCount(manifest).description == "1 policy × 6 definitions × 1 seed + 3 single-task baselines × 1 seed")
    }

    @Test func taskKeysAreSweptPerTask() throws {
        let manifest = try load("sweep:\n  tasks.coarse.gamma0: [1, 2]\n  tasks.level.noise: [0, 0.5]", seeds: "[1]", policies: equal)
        #expect(manifest.definitions.map { $0.tasks[0].spec.loss } == [.focal(gamma0: 1), .focal(gamma0: 1), .focal(gamma0: 2), .focal(gamma0: 2)])
        #expect(manifest.definitions.map { $0.tasks[1].noise } == [0, 0.5, 0, 0.5])
    }

    @Test func smoothL1BetaAndTheBoxIoUThresholdAreSweptOnImageTasks() throws {
        let text = """
            name: boxes
            data: { dataset: fashion_scenes, train_size: 32, val_size: 16, canvas: 32 }
            tasks:
              - { name: class, type: classification, classes: 10 }
              - { name: box, type: detection }
            model: { architecture: hard_sharing, trunk: [16] }
            train: { steps: 4, batch_size: 8, optimizer: adam, lr: 0.01, eval_every: 2 }
            seeds: [1]
            policies:
            \(equal)
            sweep:
              tasks.box.beta: [0.05, 0.2]
              tasks.box.threshold: [0.5, 0.75]
            """
        let manifest = try Manifest.load(scratch.write("boxes.yaml", text))
        #expect(manifest.definitions.map { $0.tasks[1].spec.loss } == [0.05, 0.05, 0.2, 0.2].map { .smoothL1(beta: $0) })
        #expect(manifest.definitions.map { $0.tasks[1].spec.kpi } == [0.5, 0.75, 0.5, 0.75].map { .boxIoU(threshold: $0) })
        #expect(manifest.definitions[3].point.map(\.description) == ["tasks.box.beta=0.2", "tasks.box.threshold=0.75"])
        // β applies to the smooth-L1 loss only: a classification task's is refused at the sweep's line.
        let error = try #require(throws: ManifestError.self) {
            try Manifest.load(scratch.write("bad.yaml", text.replacingOccurrences(of: "tasks.box.beta", with: "tasks.class.beta")))
        }
        #expect(error.problems.map { "\($0.line ?? 0) \($0.keyPath): \($0.message)" } ==
                ["12 tasks[0].beta: 'beta' (the smooth-L1 threshold) applies to the smooth_l1 loss only"])
    }

    @Test func epochsCountWholeBatchesOfTheTrainingSplit() throws {
        let manifest = try load("", edit: { $0.replacingOccurrences(of: "  steps: 40", with: "  epochs: 3\n  threads: 2\n  record_every: 5") })
        #expect(manifest.train.steps == 3 * (128 / 16))
        #expect(manifest.train.threads == 2 && manifest.train.recordEvery == 5)
    }

    /// Each bad sweep (appended to the valid manifest) and the exact problems it reports.
    @Test(arguments: [
        ("sweep:\n  data.seed: [1, 2]", ["sweep.data.seed: data cannot be swept: every run of a manifest shares its data (write one manifest per dataset)"]),
        ("sweep:\n  seeds: [1, 2]", ["sweep.seeds: seeds are not swept: list them under 'seeds'"]),
        ("sweep:\n  lr: [1, 2]", ["sweep.lr: expected a key path model.KEY, train.KEY, tasks.TASK.KEY or policies.POLICY.options.OPTION"]),
        ("sweep:\n  model.depth: [1]", ["sweep.model.depth: model has no key 'depth'; expected one of: architecture, task_order, trunk, conv, image, activation, dropout"]),
        ("sweep:\n  train.threads: [1, 2]", ["sweep.train.threads: train.threads cannot be swept: every run of a sweep shares the BLAS thread count"]),
        ("sweep:\n  tasks.nope.noise: [0.1]", ["sweep.tasks.nope.noise: no task 'nope'; tasks: coarse, level"]),
        ("sweep:\n  tasks.coarse.classes: [3, 4]", ["sweep.tasks.coarse.classes: a task's 'classes' cannot be swept; sweepable task keys: loss, gamma0, tolerance, noise, beta, threshold"]),
        ("sweep:\n  policies.ghost.options.gamma: [1]", ["sweep.policies.ghost.options.gamma: no policy 'ghost'; policies: equal, dtp"]),
        ("sweep:\n  train.lr: []", ["sweep.train.lr: expected at least one value"]),
        ("sweep:\n  train.lr: 0.1", ["sweep.train.lr: expected a list, got '0.1'"]),
        ("sweep:\n  train.lr: [0.1, 0.1]", ["sweep.train.lr: the values of a swept key must be distinct"]),
        ("sweep:\n  train.lr: [0.1, -1]", ["train.lr: expected a learning rate in (0, 1000], got '-1'"]),
        ("sweep:\n  model.task_order: permutations", ["model.task_order: 'task_order' applies to the task_hierarchy architecture only"]),
        ("sweep:\n  policies.dtp.options.gama: [1]",
         ["sweep.policies.dtp.options.gama: unknown option 'gama'; valid options: alpha, gamma, gammas, kpi_smoothing, percentile, prioritize, renormalise, warmup, window"]),
        ("sweep:\n  policies.dtp.options.gamma: [1, fast]", ["sweep.policies.dtp.options.gamma: option 'gamma' must be a number like its default 1, got string \"fast\""]),
        ("baselines: everything", ["baselines: expected one of: single_task, got 'everything'"]),
        ("sweep:\n  train.lr: [0.1]\n  model.depth: [1]\n  data.seed: [2]",
         ["sweep.model.depth: model has no key 'depth'; expected one of: architecture, task_order, trunk, conv, image, activation, dropout",
          "sweep.data.seed: data cannot be swept: every run of a manifest shares its data (write one manifest per dataset)"]),
    ])
    func badSweepsNameTheKeyAndWhatWasExpected(sweep: String, expected: [String]) throws {
        let error = try #require(throws: ManifestError.self) { try load(sweep) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == expected)
        #expect(error.problems.allSatisfy { $0.line != nil && $0.line! > 27 })  // the lines of the sweep
    }

    @Test func stepsAndEpochsTogetherAreAnError() throws {
        let error = try #require(throws: ManifestError.self) {
            try load("", edit: { $0.replacingOccurrences(of: "  steps: 40", with: "  steps: 40\n  epochs: 2") })
        }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == ["train.epochs: give either 'steps' or 'epochs', not both"])
    }

    @Test func aSweepOfTooManyRunsIsRefusedBeforeItIsExpanded() throws {
        let values = (1...400).map { String(format: "%.4f", Double($0) / 1000) }.joined(separator: ", ")
        let error = try #require(throws: ManifestError.self) {
            try load("sweep:\n  train.lr: [\(values)]\n  train.momentum: [\(values)]")
        }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == ["sweep: the manifest expands to 640000 runs, more than 100000; sweep fewer values"])
    }
}
