import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumTestSupport
import Testing

@Suite("Manifest validation")
struct ManifestValidationTests {
    let scratch = ScratchDirectory()

    @Test func quickstartManifestLoads() throws {
        let manifest = try Manifest.load("\(repositoryRoot)/experiments/quickstart.yaml")
        #expect(manifest.name == "quickstart")
        #expect(manifest.policies.map(\.name) == ["equal", "dtp", "dwa"])
        #expect(manifest.seeds == [1, 2, 3])
        #expect(manifest.tasks.map(\.spec.kind) == [.classification(classes: 4), .classification(classes: 10), .binary, .regression(outputs: 2)])
        #expect(manifest.tasks[3].spec.kpi == .withinTolerance(0.25))
        #expect(manifest.report.baseline == "equal")
    }

    @Test func defaultsFillTheOptionalKeys() throws {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1 } end }")
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(policies: "  p: { script: \(policy) }")))
        #expect(manifest.data.clusters == 8 && manifest.data.seed == 0)
        #expect(manifest.model.activation == .relu)
        #expect(manifest.tasks[0].spec.loss == .softmaxCrossEntropy && manifest.tasks[0].spec.kpi == .accuracy)
        #expect(manifest.tasks[1].spec.loss == .meanSquaredError)
        #expect(manifest.description == "" && manifest.report.baseline == nil && manifest.report.output == nil)
    }

    /// Each bad manifest, made by one edit of a valid one, and the exact problems it reports.
    @Test(arguments: [
        ("  steps: 40", "  stpes: 40",
         ["train.stpes: unknown key 'stpes'; expected one of: steps, epochs, batch_size, optimizer, lr, momentum, weight_decay, warmup_steps, schedule, step_every, step_factor, min_lr, hold_final, eval_every, threads, record_every",
          "train.steps: missing required key 'steps' (or 'epochs')"]),
        ("  steps: 40", "  steps: many", ["train.steps: expected an integer ≥ 1, got 'many'"]),
        ("  lr: 0.01", "  lr: -1", ["train.lr: expected a learning rate in (0, 1000], got '-1'"]),
        ("    classes: 3", "    classes: [3]", ["tasks[0].classes: expected an integer ≥ 2, got a list"]),
        ("    type: classification", "    type: pose",
         ["tasks[0].type: expected one of: classification, binary, regression, segmentation, detection, keypoints, got 'pose'"]),
        ("  trunk: [8]", "  trunk: 8", ["model.trunk: expected a list, got '8'"]),
        ("  batch_size: 16", "  batch_size: 1000", ["train.batch_size: batch size 1000 exceeds data.train_size 128"]),
        ("seeds: [1, 2]", "seeds: [1, 1]", ["seeds: seeds must be distinct"]),
        ("seeds: [1, 2]", "seed: [1, 2]",
         ["seeds: missing required key 'seeds'",
          "seed: unknown key 'seed'; expected one of: name, description, data, tasks, model, train, seeds, policies, sweep, baselines, report"]),
    ])
    func badManifestsNameTheKeyPath(original: String, replacement: String, expected: [String]) throws {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1 } end }")
        let text = tinyManifest(policies: "  p: { script: \(policy) }")
        #expect(text.contains(original))
        let file = scratch.write("bad.yaml", text.replacingOccurrences(of: original, with: replacement))
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == expected)
        #expect(error.problems.allSatisfy { $0.file == file && $0.line != nil })
    }

    @Test func problemsCarryFileAndLine() throws {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1 } end }")
        let file = scratch.write("bad.yaml", tinyManifest(policies: "  p: { script: \(policy) }")
            .replacingOccurrences(of: "  steps: 40", with: "  steps: zero"))
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.description == "\(file):19: train.steps: expected an integer ≥ 1, got 'zero'")
    }

    @Test func missingPolicyFileAndUnknownBaselineAreReportedTogether() throws {
        let file = scratch.write("m.yaml", tinyManifest(policies: "  p: { script: \(scratch.path)/absent.lua }")
            + "\nreport:\n  baseline: equal\n")
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.problems.map(\.message) == [
            "no policy file at \(scratch.path)/absent.lua (paths are relative to the working directory)",
            "baseline 'equal' is not a policy of this manifest (p)",
        ])
    }

    @Test func optionsAPolicyDoesNotDeclareAreRejectedWithTheOtherProblems() throws {
        let file = scratch.write("m.yaml", tinyManifest(
            policies: "  dtp: { script: \(repositoryRoot)/policies/dtp.lua, options: { gama: 2 } }")
            .replacingOccurrences(of: "  lr: 0.01", with: "  lr: fast"))
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.description == """
            \(file):22: train.lr: expected a learning rate in (0, 1000], got 'fast'
            \(file):26: policies.dtp.options: unknown option 'gama'; valid options: alpha, gamma, gammas, kpi_smoothing, percentile, prioritize, renormalise, warmup, window
            """)
        let typed = scratch.write("t.yaml", tinyManifest(
            policies: "  dtp: { script: \(repositoryRoot)/policies/dtp.lua, options: { alpha: yes } }"))
        let typeError = try #require(throws: ManifestError.self) { try Manifest.load(typed) }
        #expect(typeError.problems.map(\.message) == ["option 'alpha' must be a number like its default 0.1, got boolean true"])
    }

    @Test func invalidYAMLIsReported() throws {
        let file = scratch.write("broken.yaml", "name: [unclosed\n")
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.problems.count == 1 && error.problems[0].message.hasPrefix("not valid YAML"))
    }
}
