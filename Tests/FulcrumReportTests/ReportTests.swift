import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumReport
import FulcrumStoreFixtures
import FulcrumTestSupport
import Testing

@Suite("Experiment report")
struct ReportTests {
    /// A store written by hand: policy a with final KPIs (0.5, 0.7) and (0.7, 0.9) on two tasks;
    /// policy b with one finished seed (0.55, 0.95) and one failed.
    let scratch = ScratchDirectory()

    func tinyStore() throws -> RunStore {
        let fixture = try StoreFixture(scratch)
        let manifest = try fixture.experiment("tiny", description: "Two tasks, two policies.", steps: 10, evaluateEvery: 5)
        let store = fixture.store
        let finals: [(String, UInt64, [Double]?)] = [("a", 1, [0.5, 0.7]), ("a", 2, [0.7, 0.9]), ("b", 1, [0.55, 0.95]), ("b", 2, nil)]
        for (policy, seed, kpi) in finals {
            let id = "\(policy)\(seed)"
            try fixture.begin(id, of: manifest, policy: policy, seed: seed)
            try store.appendEvaluation(EvaluationRecord(step: 0, loss: [1, 1], kpi: [0.1, 0.1]), run: id)
            if let kpi {
                try store.appendEvaluation(EvaluationRecord(step: 10, loss: [0.5, 0.5], kpi: kpi), run: id)
                try store.endRun(id, RunEnding(status: .finished, wallSeconds: 1))
            } else {
                try store.endRun(id, RunEnding(status: .failed, error: "policy p step 3: p.lua:1: boom", wallSeconds: 1))
            }
        }
        return store
    }

    @Test func tableShowsMeanAndStdOfFinalKPIOverSeeds() throws {
        let store = try tinyStore()
        let report = try ExperimentReport(experimentNamed: "tiny", store: store)
        let lines = report.markdown.components(separatedBy: "\n")
        // a: first (50, 70) → 60.0 ± 14.1; second (70, 90) → 80.0 ± 14.1. b: one seed, no std.
        // Mean rank: a first on `first`, second on `second`; b the other way round.
        #expect(lines.contains("| policy | first (accuracy) | second (within ±0.5) | mean rank | seeds |"))
        #expect(lines.contains("| a | **60.0 ± 14.1** | 80.0 ± 14.1 | 1.50 | 2/2 |"))
        #expect(lines.contains("| b | 55.0 | **95.0** | 1.50 | 1/2 |"))
        // The 95 % interval for two seeds: 60 ± t(0.975, 1) · 14.14/√2 = 60 ± 12.706 · 10 (scipy.stats.t.ppf); the
        // bootstrap's is the two values themselves (each is a resample's mean with probability ¼).
        #expect(lines.contains("| a | [-67.1, 187.1] · boot [50.0, 70.0] | [-47.1, 207.1] · boot [70.0, 90.0] |"))
        #expect(lines.contains("| b | 2 | failed | 0 | `policy p step 3: p.lua:1: boom` |"))
        #expect(lines.first == "# tiny")
        // No baseline: every row's convergence is checked, but the last 20 % of training (steps 8–10) holds one evaluation.
        #expect(lines.contains("  - not checked — a: steps 8–10 (1 evaluation); evaluate more often (`train.eval_every`) to check."))
        #expect(lines.contains("  - not checked — b: steps 8–10 (1 evaluation); evaluate more often (`train.eval_every`) to check."))
    }

    @Test func sweepPointsAndSingleTaskBaselinesAreRowsOfTheirOwn() throws {
        let store = try tinyStore()
        let experiment = try #require(try store.experiment(named: "tiny"))
        // a at γ = 1 and γ = 2 (one seed each), and a single-task baseline of the second task.
        let extra: [(String, String, String, [Int]?, [Double])] = [
            ("g1", "a", #"{"policies.a.options.gamma":1}"#, nil, [0.2, 0.4]),
            ("g2", "a", #"{"policies.a.options.gamma":2,"train.lr":0.5}"#, nil, [0.3, 0.6]),
            ("st", "single_task", #"{"task":"second"}"#, [1], [0.99]),
        ]
        for (id, policy, pointJSON, tasks, kpi) in extra {
            var run = RunDescriptor(id: id, experiment: "tiny", manifestHash: experiment.manifestHash, policy: policy,
                                    policyFile: "p.lua", policyHash: "h", optionsJSON: "{}", seed: 1)
            run.point = try SweepPoint(json: pointJSON)
            run.tasks = tasks
            try store.beginRun(run)
            try store.appendEvaluation(EvaluationRecord(step: 10, loss: kpi, kpi: kpi), run: id, taskPositions: tasks)
            try store.endRun(id, RunEnding(status: .finished, wallSeconds: 1))
        }
        let report = try ExperimentReport(experimentNamed: "tiny", store: store)
        #expect(report.groups.map(\.label) == ["a", "a gamma=1", "a gamma=2 train.lr=0.5", "b", "single_task task=second"])
        let lines = report.markdown.components(separatedBy: "\n")
        // Ranks on `first`: a, b, γ=2, γ=1; on `second`: b, a, γ=2, γ=1. The single-task run is a
        // reference: not bold, not ranked.
        #expect(lines.contains("| a | **60.0 ± 14.1** | 80.0 ± 14.1 | 1.50 | 2/2 |"))
        #expect(lines.contains("| a gamma=1 | 20.0 | 40.0 | 4.00 | 1/2 |"))
        #expect(lines.contains("| a gamma=2 train.lr=0.5 | 30.0 | 60.0 | 3.00 | 1/2 |"))
        #expect(lines.contains("| b | 55.0 | **95.0** | 1.50 | 1/2 |"))
        #expect(lines.contains("| single_task task=second | — | 99.0 | — | 1/2 |"))
    }

    @Test func reportIsWrittenToTheAskedPathWithItsFiguresBesideIt() throws {
        let store = try tinyStore()
        let report = try ExperimentReport(experimentNamed: "tiny", store: store)
        try report.write(to: "\(scratch.path)/out/tiny.md")
        let written = try String(contentsOfFile: "\(scratch.path)/out/tiny.md", encoding: .utf8)
        // Evaluations but no step series: the KPI curves only.
        #expect(try report.figures().map(\.fileName) == ["kpi-first.svg", "kpi-second.svg"])
        #expect(try written == report.markdown(figures: report.figures(), directory: "tiny"))
        #expect(written.contains("\n\n![first: validation accuracy over training](tiny/kpi-first.svg)\n\n"))
        let svg = try String(contentsOfFile: "\(scratch.path)/out/tiny/kpi-first.svg", encoding: .utf8)
        #expect(try svg == report.figures()[0].svg)
    }

    @Test func rewritingKeepsTheHandWrittenNotesAndNothingElseOfTheOldFile() throws {
        let store = try tinyStore()
        let report = try ExperimentReport(experimentNamed: "tiny", store: store)
        let path = "\(scratch.path)/tiny.md"
        let notes = "<!-- fulcrum:notes -->\nPolicy b wins on `second`; one seed failed.\n<!-- /fulcrum:notes -->"
        try "# stale\n\n\(notes)\n\n## Old table\n| 1 |\n".write(toFile: path, atomically: true, encoding: .utf8)
        try report.write(to: path)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try written == ReportNotes.insert(notes, into: report.markdown(figures: report.figures(), directory: "tiny")))
        #expect(!written.contains("Old table") && written.contains("\(notes)\n\n## Comparison"))
    }

    @Test func unknownExperimentListsTheKnownOnes() throws {
        let store = try tinyStore()
        let error = #expect(throws: ExperimentReport.ReportError.self) { try ExperimentReport(experimentNamed: "other", store: store) }
        #expect(error?.description == "no experiment 'other' in the store; known: tiny")
    }
}
