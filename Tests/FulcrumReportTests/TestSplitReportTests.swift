import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumReport
import FulcrumStoreFixtures
import FulcrumTestSupport
import Testing

@Suite("Experiment report: test split")
struct TestSplitReportTests {
    let scratch = ScratchDirectory()

    /// One evaluated run: validation and test evaluations before training (losses `startLoss` on the
    /// test split) and, if it finished, after step 10 (test losses `endLoss`, test KPIs `testKPI`).
    struct Run {
        var id: String, policy: String, seed: UInt64, pointJSON = "{}", tasks: [Int]? = nil
        var startLoss: [Double], endLoss: [Double], testKPI: [Double], validationKPI: [Double]
        var finished = true
    }

    /// A hand-written store of experiment `tiny` (tasks `first`, `second` of type `secondType`).
    func store(_ runs: [Run], secondType: String = "regression, outputs: 1, tolerance: 0.5") throws -> RunStore {
        let fixture = try StoreFixture(scratch)
        let manifest = try fixture.experiment("tiny", first: "regression, outputs: 1, tolerance: 0.5", second: secondType,
                                              steps: 10, evaluateEvery: 5)
        let store = fixture.store
        for run in runs {
            try fixture.begin(run.id, of: manifest, policy: run.policy, seed: run.seed, point: try SweepPoint(json: run.pointJSON), tasks: run.tasks)
            let zeros = run.startLoss.map { _ in 0.0 }
            try store.appendEvaluation(EvaluationRecord(step: 0, loss: run.startLoss, kpi: zeros), run: run.id, taskPositions: run.tasks)
            try store.appendEvaluation(EvaluationRecord(step: 0, loss: run.startLoss, kpi: zeros, split: .test), run: run.id, taskPositions: run.tasks)
            guard run.finished else {
                try store.endRun(run.id, RunEnding(status: .failed, error: "boom", wallSeconds: 1))
                continue
            }
            try store.appendEvaluation(EvaluationRecord(step: 10, loss: zeros, kpi: run.validationKPI), run: run.id, taskPositions: run.tasks)
            try store.appendEvaluation(EvaluationRecord(step: 10, loss: run.endLoss, kpi: run.testKPI, split: .test),
                                       run: run.id, taskPositions: run.tasks)
            try store.endRun(run.id, RunEnding(status: .finished, wallSeconds: 1))
        }
        return store
    }

    /// Ratios L(end)/L(0): a1 (0.5, 0.25) sum 0.75, a2 (0.25, 0.25) sum 0.5; b1 (0.25, 0.5) sum 0.75
    /// (b2 failed); the single-task baseline of `second` 0.125.
    let runs = [
        Run(id: "a1", policy: "a", seed: 1, startLoss: [2, 4], endLoss: [1, 1], testKPI: [0.5, 0.7], validationKPI: [0.4, 0.6]),
        Run(id: "a2", policy: "a", seed: 2, startLoss: [2, 8], endLoss: [0.5, 2], testKPI: [0.7, 0.9], validationKPI: [0.6, 0.8]),
        Run(id: "b1", policy: "b", seed: 1, startLoss: [1, 1], endLoss: [0.25, 0.5], testKPI: [0.55, 0.95], validationKPI: [0.45, 0.85]),
        Run(id: "b2", policy: "b", seed: 2, startLoss: [1, 1], endLoss: [], testKPI: [], validationKPI: [], finished: false),
        Run(id: "st", policy: "single_task", seed: 1, pointJSON: #"{"task":"second"}"#, tasks: [1],
            startLoss: [4], endLoss: [0.5], testKPI: [0.99], validationKPI: [0.9]),
    ]

    func sections(_ markdown: String) -> [String] {
        markdown.components(separatedBy: "\n").filter { $0.hasPrefix("## ") }
    }

    @Test func testKPITableComesFirstThenTheValidationOne() throws {
        let report = try ExperimentReport(experimentNamed: "tiny", store: try store(runs))
        let markdown = report.markdown
        let lines = markdown.components(separatedBy: "\n")
        #expect(sections(markdown) == ["## Comparison", "## Findings", "## Final validation KPI", "## Test loss relative to the start",
                                       "## Cost", "## Runs that did not finish", "## Reproducibility"])
        #expect(markdown.contains("KPI in %: the held-out test split's KPI after the last step; mean ± sample std over seeds."))
        let test = try #require(markdown.range(of: "## Comparison")), validation = try #require(markdown.range(of: "## Final validation KPI"))
        let testTable = markdown[test.upperBound..<validation.lowerBound].components(separatedBy: "\n")
        // Test: a first (50, 70) → 60.0 ± 14.1, second (70, 90) → 80.0 ± 14.1; b one seed; the baseline its task only.
        // No baseline and single-task runs of one task only: no Δm column.
        #expect(testTable.contains("| policy | first (within ±0.5) | second (within ±0.5) | mean rank | seeds |"))
        #expect(testTable.contains("| a | **60.0 ± 14.1** | 80.0 ± 14.1 | 1.50 | 2/2 |"))
        #expect(testTable.contains("| b | 55.0 | **95.0** | 1.50 | 1/2 |"))
        #expect(testTable.contains("| single_task task=second | — | 99.0 | — | 1/2 |"))
        // Validation: a first (40, 60) → 50.0 ± 14.1, second (60, 80) → 70.0 ± 14.1.
        #expect(lines.contains("| a | **50.0 ± 14.1** | 70.0 ± 14.1 | 2/2 |"))
        #expect(lines.contains("| b | 45.0 | **85.0** | 1/2 |"))
        #expect(lines.contains("| single_task task=second | — | 90.0 | 1/2 |"))
        #expect(report.finalKPI(policy: "a", task: 1, split: .test).mean == 0.8)
    }

    @Test func finalValidationLeavesTheTestSplitUnread() throws {
        let report = try ExperimentReport(experimentNamed: "tiny", store: try store(runs), selection: .finalValidation)
        // No test table, no loss ratios (they are test losses), no second validation table.
        #expect(sections(report.markdown) == ["## Comparison", "## Findings", "## Cost", "## Runs that did not finish", "## Reproducibility"])
        #expect(report.comparisonSplit == .validation)
        #expect(report.markdown.contains("KPI in %: the validation KPI after the last step; mean ± sample std over seeds."))
        // Validation after step 10: a first (40, 60), second (60, 80); b seed 1 only.
        #expect(report.comparisonTable.contains("| a | **50.0 ± 14.1** | 70.0 ± 14.1 | 1.50 | 2/2 |"))
        #expect(report.comparisonTable.contains("| b | 45.0 | **85.0** | 1.50 | 1/2 |"))
        #expect(report.markdown.contains("_Written by `fulcrum report tiny --select final-validation` from the run store._"))
    }

    @Test func regressionOnlyExperimentGetsTheLossRatioTable() throws {
        let markdown = try ExperimentReport(experimentNamed: "tiny", store: try store(runs)).markdown
        let ratios = try #require(markdown.range(of: "## Test loss relative to the start"))
        let lines = markdown[ratios.upperBound...].components(separatedBy: "\n")
        #expect(lines[2].hasPrefix("Each task's test loss after the last step over its test loss before the first"))
        #expect(lines[4] == "| policy | first | second | Σ_t L_t/L_t(0) |")
        #expect(lines[5] == "|---|---:|---:|---:|")
        // a: first (0.5 + 0.25)/2, second (0.25 + 0.25)/2; sums 0.75 and 0.5: 0.625 ± 0.125·√2.
        #expect(lines[6] == "| a | 0.375 | 0.250 | **0.625 ± 0.177** |")
        #expect(lines[7] == "| b | **0.250** | 0.500 | 0.750 |")
        #expect(lines[8] == "| single_task task=second | — | **0.125** | — |")
        #expect(lines[9] == "")
    }

    @Test func anExperimentWithAClassificationTaskHasNoLossRatioTable() throws {
        let markdown = try ExperimentReport(experimentNamed: "tiny", store: try store(runs, secondType: "classification, classes: 2")).markdown
        #expect(sections(markdown) == ["## Comparison", "## Findings", "## Final validation KPI", "## Cost", "## Runs that did not finish",
                                       "## Reproducibility"])
        #expect(markdown.contains("| policy | first (within ±0.5) | second (accuracy) | mean rank | seeds |"))
    }

    @Test func withoutTestEvaluationsTheComparisonReadsValidationAndThereIsNoSecondTable() throws {
        let store = try store([])
        let experiment = try #require(try store.experiment(named: "tiny"))
        try store.beginRun(RunDescriptor(id: "v1", experiment: "tiny", manifestHash: experiment.manifestHash, policy: "a",
                                         policyFile: "p.lua", policyHash: "h", optionsJSON: "{}", seed: 1))
        try store.appendEvaluation(EvaluationRecord(step: 10, loss: [1, 1], kpi: [0.5, 0.25]), run: "v1")
        try store.endRun("v1", RunEnding(status: .finished, wallSeconds: 1))
        let report = try ExperimentReport(experimentNamed: "tiny", store: store)
        #expect(sections(report.markdown) == ["## Comparison", "## Findings", "## Cost", "## Reproducibility"])
        #expect(report.comparisonSplit == .validation && report.comparisonTable[2] == "| a | **50.0** | **25.0** | 1.00 | 1/2 |")
        #expect(report.testEvaluations.isEmpty && report.finalTestEvaluations.isEmpty)
    }
}
