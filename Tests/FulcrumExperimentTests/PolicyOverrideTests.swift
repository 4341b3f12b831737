import Foundation
import FulcrumCore
@testable import FulcrumExperiment
import FulcrumLua
import FulcrumTestSupport
import Testing

@Suite("Manifest: per-policy overrides")
struct PolicyOverrideTests {
    let scratch = ScratchDirectory()
    let equal = "  equal: { script: \(repositoryRoot)/policies/equal.lua }"

    /// The tiny manifest with `equal` and a policy `p` (equal.lua) whose overrides are `overrides`
    /// (YAML lines under `overrides:`, from line 30), and `extra` appended.
    func load(_ overrides: String, extra: String = "", seeds: String = "[1, 2]") throws -> Manifest {
        let policy = "  p:\n    script: \(repositoryRoot)/policies/equal.lua\n    overrides:\n" + overrides
        return try Manifest.load(scratch.write("m.yaml", tinyManifest(seeds: seeds, policies: equal + "\n" + policy) + "\n" + extra))
    }

    @Test func overridesApplyOnTopOfEverySweepPointOfTheirPolicyOnly() throws {
        let manifest = try load("""
                  train.schedule: step
                  train.step_every: 10
                  train.step_factor: 0.5
                  tasks.coarse.gamma0: 1
            """, extra: "sweep:\n  train.lr: [0.01, 0.003]")
        let (equal, p) = (manifest.policies[0], manifest.policies[1])
        #expect(equal.overrides.isEmpty && manifest.definitionsTrained(by: equal) == manifest.definitions)
        #expect(p.overrides.map(\.description) == ["train.schedule=step", "train.step_every=10", "train.step_factor=0.5", "tasks.coarse.gamma0=1"])
        let definitions = manifest.definitionsTrained(by: p)
        #expect(definitions.map(\.train.schedule) == [0.01, 0.003].map {
            LearningRateSchedule(base: $0, warmupSteps: 0, decay: .step(every: 10, factor: 0.5), totalSteps: 40)
        })
        #expect(definitions.allSatisfy { $0.tasks[0].spec.loss == .focal(gamma0: 1) })
        // The same sweep points, so the report's rows line up; another definition, so other ids.
        #expect(definitions.map(\.point) == manifest.definitions.map(\.point))
        #expect(Set(definitions.map(\.definitionHash)).isDisjoint(with: manifest.definitions.map(\.definitionHash)))

        let runs = ExperimentRunner(manifest: manifest, store: try RunStore(path: "\(scratch.path)/s.sqlite")).plannedRuns
        #expect(runs.map(\.label).suffix(4) == ["p train.lr=0.01 seed 1", "p train.lr=0.01 seed 2", "p train.lr=0.003 seed 1", "p train.lr=0.003 seed 2"])
        #expect(runs.prefix(4).map(\.point) == runs.suffix(4).map(\.point))
        #expect(Set(runs.map(\.id)).count == 8)
    }

    @Test func theOtherPoliciesAndTheBaselinesKeepTheirIDs() throws {
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let ids = { (manifest: Manifest) in ExperimentRunner(manifest: manifest, store: store).plannedRuns.filter { $0.policy.name != "p" }.map(\.id) }
        let plain = try Manifest.load(scratch.write("plain.yaml", tinyManifest(policies: equal) + "\nbaselines: single_task"))
        let overridden = try load("      train.lr: 0.003\n", extra: "baselines: single_task")
        #expect(ids(plain) == ids(overridden))
        #expect(overridden.baselineDefinitions == plain.baselineDefinitions)
        // Overriding a key with the value it has is no change at all.
        let same = try load("      train.lr: 0.01\n")
        #expect(same.definitionsTrained(by: same.policies[1]).map(\.definitionHash) == same.definitions.map(\.definitionHash))
    }

    @Test func anOverriddenStepCountCountsTowardsTheExperimentsLength() throws {
        // The store records the longest run's steps: here the overriding policy's, not the manifest's 40.
        #expect(try load("      train.steps: 90\n").longestSteps == 90)
        #expect(try load("      train.steps: 10\n").longestSteps == 40)
    }

    /// Each bad override (under `overrides:`, from line 30) and the exact problems it reports.
    @Test(arguments: [
        ("      train.schedule: weekly\n", ["30 policies.p.overrides.train.schedule: expected one of: constant, step, cosine, got 'weekly'"]),
        ("      train.lr: [0.1, 0.01]\n", ["30 policies.p.overrides.train.lr: expected a learning rate in (0, 1000], got a list"]),
        ("      train.threads: 2\n", ["30 policies.p.overrides.train.threads: train.threads cannot be overridden: every run of a manifest shares the BLAS thread count"]),
        ("      policies.p.options.x: 2\n",
         ["30 policies.p.overrides.policies.p.options.x: expected a key path model.KEY, train.KEY or tasks.TASK.KEY (the policy's own options go under its 'options')"]),
        ("      data.seed: 2\n", ["30 policies.p.overrides.data.seed: data cannot be overridden: every run of a manifest shares its data (write one manifest per dataset)"]),
        ("      tasks.coarse.classes: 4\n",
         ["30 policies.p.overrides.tasks.coarse.classes: a task's 'classes' cannot be overridden; overridable task keys: loss, gamma0, tolerance, noise, beta, threshold"]),
        ("      tasks.level.gamma0: 1\n",
         ["30 policies.p.overrides.tasks.level.gamma0: 'gamma0' (the focal loss) applies to cross-entropy losses of classification, binary and segmentation tasks"]),
        ("      model.task_order: permutations\n",
         ["30 policies.p.overrides.model.task_order: expected one task order (a list of the task names); 'permutations' belongs in the sweep"]),
        ("      train.schedule: step\n", ["19 train.step_every: missing required key 'step_every' (with the overrides of policy 'p')"]),
        ("      train.steps: 5\n      train.warmup_steps: 5\n",
         ["31 policies.p.overrides.train.warmup_steps: expected fewer warm-up steps than steps (5), got 5"]),
        ("      - train.lr\n", ["30 policies.p.overrides: expected a mapping, got a list"]),
    ])
    func badOverridesNameTheirKeyPathAndLine(overrides: String, expected: [String]) throws {
        let error = try #require(throws: ManifestError.self) { try load(overrides) }
        #expect(error.problems.map { "\($0.line ?? 0) \($0.keyPath): \($0.message)" } == expected)
    }

    @Test func aKeyBothSweptAndOverriddenIsAnError() throws {
        let error = try #require(throws: ManifestError.self) { try load("      train.lr: 0.1\n", extra: "sweep:\n  train.lr: [0.01, 0.003]") }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } ==
                ["policies.p.overrides.train.lr: train.lr is also swept (sweep.train.lr); an override would replace every swept value: drop one of the two"])
    }
}
