import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumReport
import FulcrumStoreFixtures
import FulcrumTestSupport
import Testing

@Suite("Comparison table")
struct ComparisonTableTests {
    let scratch = ScratchDirectory()

    /// Baseline a, policies b and c, and single-task runs of both tasks, seeds 1–3; c's seed 3 failed.
    /// Final validation KPIs (first, second):
    ///   a  (.60, .80) (.62, .82) (.64, .84)
    ///   b  (.70, .78) (.71, .82) (.75, .83)
    ///   c  (.70, .78) (.71, .82)  —
    ///   single-task first .66 .68 .70; second .85 .85 .88
    func store() throws -> RunStore {
        let fixture = try StoreFixture(scratch)
        let manifest = try fixture.experiment("tiny", second: "binary", policies: ["a", "b", "c"], seeds: [1, 2, 3], steps: 10,
                                              evaluateEvery: 5, extra: "baselines: single_task\nreport: { baseline: a }")
        let store = fixture.store
        let finals: [(policy: String, task: String?, kpi: [[Double]?])] = [
            ("a", nil, [[0.60, 0.80], [0.62, 0.82], [0.64, 0.84]]),
            ("b", nil, [[0.70, 0.78], [0.71, 0.82], [0.75, 0.83]]),
            ("c", nil, [[0.70, 0.78], [0.71, 0.82], nil]),
            ("single_task", "first", [[0.66], [0.68], [0.70]]),
            ("single_task", "second", [[0.85], [0.85], [0.88]]),
        ]
        for (policy, task, kpis) in finals {
            for (index, kpi) in kpis.enumerated() {
                let seed = UInt64(index + 1), id = "\(policy)\(task ?? "")\(seed)"
                let positions = task.map { [$0 == "first" ? 0 : 1] }
                try fixture.begin(id, of: manifest, policy: policy, seed: seed,
                                  point: SweepPoint(task.map { [SweepSetting(.singleTask, .string($0))] } ?? []), tasks: positions)
                guard let kpi else {
                    try store.endRun(id, RunEnding(status: .diverged, error: "loss of task first is nan", divergedStep: 7, wallSeconds: 1))
                    continue
                }
                // A better evaluation midway, for the best-on-validation selection.
                try store.appendEvaluation(EvaluationRecord(step: 5, loss: kpi, kpi: kpi.map { $0 + 0.1 }), run: id, taskPositions: positions)
                try store.appendEvaluation(EvaluationRecord(step: 10, loss: kpi, kpi: kpi), run: id, taskPositions: positions)
                try store.endRun(id, RunEnding(status: .finished, wallSeconds: 2, stepsPerSecond: 5, policyMicrosecondsPerStep: 3,
                                               peakMemoryBytes: 64 << 20))
            }
        }
        return store
    }

    @Test func tableHasMeanStdBestDaggerDeltaMAndMeanRank() throws {
        let report = try ExperimentReport(experimentNamed: "tiny", store: try store())
        // Δm against the single-task means (68, 86): a ((62−68)/68 + (82−86)/86)/2 = −6.737 %, b +0.034 %,
        // c ((70.5−68)/68 + (80−86)/86)/2 = −1.650 % (scipy/numpy by hand). Ranks per task among a, b, c:
        // first 3, 1, 2; second 1, 2, 3. † : b first (paired p = 0.0033, Holm 0.013), c first (Welch p = 0.0099, Holm 0.030).
        #expect(report.comparisonTable == [
            "| policy | first (accuracy) | second (accuracy) | Δm vs single-task (%) | mean rank | seeds |",
            "|---|---:|---:|---:|---:|---:|",
            "| a | 62.0 ± 2.0 | **82.0 ± 2.0** | -6.74 | 2.00 | 3/3 |",
            "| b | **72.0 ± 2.6** † | 81.0 ± 2.6 | +0.03 | 1.50 | 3/3 |",
            "| c | 70.5 ± 0.7 † | 80.0 ± 2.8 | -1.65 | 2.50 | 2/3 |",
            "| single_task task=first | 68.0 ± 2.0 | — | — | — | 3/3 |",
            "| single_task task=second | — | 86.0 ± 1.7 | — | — | 3/3 |",
        ])
    }

    @Test func intervalsAndTestsAgainstTheBaseline() throws {
        let markdown = try ExperimentReport(experimentNamed: "tiny", store: try store()).markdown
        let lines = markdown.components(separatedBy: "\n")
        let intervals = try #require(lines.firstIndex(of: "### 95 % confidence intervals"))
        // scipy.stats: t.ppf(0.975, 2) = 4.3027 → a first 62 ± 4.3027·2/√3; t.ppf(0.975, 1) = 12.706 for c's two
        // seeds. Bootstrap: with three seeds each value alone makes a resample with probability 1/27 = 3.7 % > 2.5 %,
        // so the percentile interval is [min, max]; with two, exactly the two values (a quarter each).
        #expect(Array(lines[(intervals + 4)...(intervals + 10)]) == [
            "| policy | first | second |",
            "|---|---:|---:|",
            "| a | [57.0, 67.0] · boot [60.0, 64.0] | [77.0, 87.0] · boot [80.0, 84.0] |",
            "| b | [65.4, 78.6] · boot [70.0, 75.0] | [74.4, 87.6] · boot [78.0, 83.0] |",
            "| c | [64.1, 76.9] · boot [70.0, 71.0] | [54.6, 105.4] · boot [78.0, 82.0] |",
            "| single_task task=first | [63.0, 73.0] · boot [66.0, 70.0] | — |",
            "| single_task task=second | — | [81.7, 90.3] · boot [85.0, 88.0] |",
        ])
        // ttest_rel(b, a) first t = 17.32, p = 0.00332, second p = 0.2254; ttest_ind(c, a, equal_var=False) first
        // p = 0.00987, second p = 0.4921 (c ran seeds 1 and 2 only, so Welch's). Holm over the 4: 4·0.00332 = 0.0133,
        // 3·0.00987 = 0.0296, 2·0.2254 = 0.4508, then max(0.4921, 0.4508) = 0.4921.
        let tests = try #require(lines.firstIndex(of: "### Tests against `a`"))
        #expect(lines[tests + 2].contains("after Holm–Bonferroni correction across the 4 tests of this report"))
        #expect(Array(lines[(tests + 4)...(tests + 7)]) == [
            "| policy | first | second |",
            "|---|---:|---:|",
            "| b | +10.0 · p = 0.003 · Holm p = 0.013 † | -1.0 · p = 0.225 · Holm p = 0.451 |",
            "| c | +8.5 · p = 0.010 W · Holm p = 0.030 † | -2.0 · p = 0.492 W · Holm p = 0.492 |",
        ])
    }

    @Test func bestOnValidationReadsTheBestEvaluationAndSaysSo() throws {
        let report = try ExperimentReport(experimentNamed: "tiny", store: try store(), selection: .bestValidation)
        // Every run's step-5 evaluation is 0.1 above its last, so every mean moves up by 10 points.
        #expect(report.comparisonTable[2] == "| a | 72.0 ± 2.0 | **92.0 ± 2.0** | -5.93 | 2.00 | 3/3 |")
        #expect(report.markdown.contains("KPI in %: the validation KPI at the evaluation where the run's mean validation KPI"))
        #expect(report.markdown.contains("_Written by `fulcrum report tiny --select best-validation` from the run store._"))
    }

    @Test func costAndDivergedRunsAndReproducibility() throws {
        let lines = try ExperimentReport(experimentNamed: "tiny", store: try store()).markdown.components(separatedBy: "\n")
        #expect(lines.contains("| b | 5.0 | 3.0 | 2.0 | 64 | 3 |"))
        #expect(lines.contains("| c | 5.0 | 3.0 | 2.0 | 64 | 2 |"))
        #expect(lines.contains("Total training time 28 s over 14 runs (runs train in parallel, so the sweep took less)."))
        #expect(lines.contains("| c | 3 | diverged | 7 | `loss of task first is nan` |"))
        #expect(lines.contains("  - `p.lua` sha256 `h`"))
        #expect(lines.contains { $0.hasPrefix("- Manifest `\(scratch.path)/tiny.yaml`, sha256 `") && $0.hasSuffix("`; seeds 1, 2, 3.") })
    }
}
