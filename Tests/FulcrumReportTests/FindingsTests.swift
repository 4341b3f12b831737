import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumReport
import FulcrumTestSupport
import Testing

/// The generated Findings of a store written by hand, sentence for sentence.
@Suite("Findings")
struct FindingsTests {
    let scratch = ScratchDirectory()

    /// Baseline `base`, policies `up` and `down`, single-task runs of three tasks, seeds 1–3, ten steps.
    /// Final validation KPIs (easy, mid, hard) per seed:
    ///   base    easy .84 .85 .86   mid .74 .75 .76   hard .60 .62 .64
    ///   up      easy .94 .96 .98   mid .76 .79 .79   hard .61 .61 .64
    ///   down    easy .84 .86 .85   mid .73 .72 .74   hard .40 .41 .42
    ///   single  easy .96 .97 .98   mid .84 .85 .86   hard .82 .83 .84
    /// Evaluations at steps 0, 8 and 10; at step 8 base is below its last KPI by .002, .005, .03 (easy, mid,
    /// hard), the single-task runs by .001, the others not at all. Weights at every step: base 1 each,
    /// up 2.5 each, down 1/step each.
    func store(difficulty: String = "{ order: [easy, mid, hard], min_gap: 5, max_single_task: 0.95 }") throws -> RunStore {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1, 1 } end }")
        let manifest = try Manifest.load(scratch.write("m.yaml", """
            name: three
            data: { dataset: synthetic, input_dim: 2, train_size: 8, val_size: 8 }
            tasks:
              - { name: easy, type: classification, classes: 2 }
              - { name: mid, type: binary }
              - { name: hard, type: binary }
            model: { architecture: hard_sharing, trunk: [4] }
            train: { steps: 10, batch_size: 4, optimizer: sgd, lr: 0.1, eval_every: 2 }
            seeds: [1, 2, 3]
            baselines: single_task
            policies:
              base: { script: \(policy) }
              up: { script: \(policy) }
              down: { script: \(policy) }
            report: { baseline: base, difficulty: \(difficulty) }
            """))
        let store = try RunStore(path: "\(scratch.path)/store-\(UUID().uuidString).sqlite")
        try store.recordExperiment(manifest)
        let finals: [(policy: String, kpi: [[Double]], late: [Double], weight: (Int) -> Double)] = [
            ("base", [[0.84, 0.74, 0.60], [0.85, 0.75, 0.62], [0.86, 0.76, 0.64]], [0.002, 0.005, 0.03], { _ in 1 }),
            ("up", [[0.94, 0.76, 0.61], [0.96, 0.79, 0.61], [0.98, 0.79, 0.64]], [0, 0, 0], { _ in 2.5 }),
            ("down", [[0.84, 0.73, 0.40], [0.86, 0.72, 0.41], [0.85, 0.74, 0.42]], [0, 0, 0], { 1 / Double($0) }),
        ]
        let names = ["easy", "mid", "hard"]
        for (policy, kpis, late, weight) in finals {
            for (index, kpi) in kpis.enumerated() {
                let seed = UInt64(index + 1), id = "\(policy)\(seed)"
                try store.beginRun(RunDescriptor(id: id, experiment: "three", manifestHash: manifest.hash, policy: policy,
                                                 policyFile: "p.lua", policyHash: "h", optionsJSON: "{}", seed: seed))
                try store.appendSteps((1...10).map { step in
                    let weights = TaskWeights([Double](repeating: weight(step), count: 3))
                    return StepRecord(step: step, epoch: 1, loss: [1, 1, 1], kpi: kpi, weights: weights,
                                      signals: StepSignals(tasks: names, step: step, epoch: 1, progress: 0, learningRate: 0.1,
                                                           loss: [1, 1, 1], initialLoss: [1, 1, 1], weights: weights.shared))
                }, run: id)
                try store.appendEvaluation(EvaluationRecord(step: 0, loss: [1, 1, 1], kpi: [0.1, 0.1, 0.1]), run: id)
                try store.appendEvaluation(EvaluationRecord(step: 8, loss: [1, 1, 1], kpi: zip(kpi, late).map { $0 - $1 }), run: id)
                try store.appendEvaluation(EvaluationRecord(step: 10, loss: [1, 1, 1], kpi: kpi), run: id)
                try store.endRun(id, RunEnding(status: .finished, wallSeconds: 1))
            }
        }
        let singles = [[0.96, 0.97, 0.98], [0.84, 0.85, 0.86], [0.82, 0.83, 0.84]]
        for (task, kpis) in singles.enumerated() {
            for (index, kpi) in kpis.enumerated() {
                let seed = UInt64(index + 1), id = "single\(task)\(seed)"
                var run = RunDescriptor(id: id, experiment: "three", manifestHash: manifest.hash, policy: "single_task",
                                        policyFile: "", policyHash: "", optionsJSON: "{}", seed: seed)
                run.tasks = [task]
                run.point = SweepPoint([SweepSetting(.singleTask, .string(names[task]))])
                try store.beginRun(run)
                for (step, value) in [(0, 0.1), (8, kpi - 0.001), (10, kpi)] {
                    try store.appendEvaluation(EvaluationRecord(step: step, loss: [1], kpi: [value]), run: id, taskPositions: [task])
                }
                try store.endRun(id, RunEnding(status: .finished, wallSeconds: 1))
            }
        }
        return store
    }

    /// The lines of `markdown` from "## Findings" up to the next section.
    func findings(_ markdown: String) throws -> [String] {
        let lines = markdown.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "## Findings"))
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.count
        return Array(lines[start..<end])
    }

    @Test func findingsSayWhatDiffersTheRankingAndWhichChecksPass() throws {
        let report = try ExperimentReport(experimentNamed: "three", store: try store())
        // Paired t-tests against base (scipy.stats.ttest_rel): up easy p = 0.002743, up mid 0.035099, up hard 1,
        // down easy 1, down mid 0.074180, down hard 0.000755. Holm over the 6: down hard 6·0.000755 = 0.00453,
        // up easy 5·0.002743 = 0.01372, up mid 4·0.035099 = 0.1404 (significant before the correction, not
        // after), down mid 3·0.07418 = 0.2225, the rest 1.
        // Δm against the single-task means (97, 85, 83), numpy: up −11.522, base −16.479, down −25.697.
        // 95 % t intervals: mean ± 4.3027·s/√3, s = 1 point (2 for base hard): ± 2.48 (± 4.97).
        // Σw: base 3 throughout; up 7.5; down 3/step: 3 at step 1, mean(3/8, 3/9, 3/10) = 0.336 over steps 8–10.
        #expect(try findings(report.markdown) == [
            "## Findings",
            "",
            "Generated from the runs in the store each time the report is written, like the tables; notes written by hand "
                + "interpret these numbers but do not copy them.",
            "",
            "### Against `base`",
            "",
            "Two-sided t-tests of each row against `base` on the comparison's numbers (the validation KPI after the last step), "
                + "significant at 5 % after Holm–Bonferroni correction across the 6 tests of this report; differences in KPI points.",
            "",
            "- easy: better than `base`: up (+11.0 points, Holm p = 0.014); no difference after correction: down.",
            "- mid: no policy differs from `base` after correction.",
            "- hard: worse than `base`: down (−21.0 points, Holm p = 0.005); no difference after correction: up.",
            "",
            "### Δm ranking",
            "",
            "Δm against the single-task runs — the mean over tasks of the relative change of the KPI, in % — best first:",
            "",
            "1. up: −11.52 %",
            "2. base: −16.48 %",
            "3. down: −25.70 %",
            "",
            "No row is above the single-task runs on average (Δm > 0).",
            "",
            "### Set-up checks",
            "",
            "- Difficulty (`report.difficulty`), on the validation KPI after the last step in %, with its 95 % t interval: "
                + "easy > mid > hard, easiest first, each gap at least 5.0 points and the intervals apart.",
            "  - **pass** — base: easy 85.0 [82.5, 87.5], mid 75.0 [72.5, 77.5], hard 62.0 [57.0, 67.0]; gaps +10.0 (pass), +13.0 (pass).",
            "  - **fail** — single-task: easy 97.0 [94.5, 99.5], mid 85.0 [82.5, 87.5], hard 83.0 [80.5, 85.5]; "
                + "gaps +12.0 (pass), +2.0 (fail: below 5.0).",
            "- **fail** — single-task validation KPI above 95.0 % (`report.difficulty.max_single_task`): easy 97.0 %.",
            "- Convergence: the range (max − min) of the mean over seeds of the validation KPI across the evaluations in the "
                + "last 20 % of training (from 80 % of the last evaluation's step on), under 1 point to pass:",
            "  - **fail** — base, steps 8–10 (2 evaluations): easy 0.20 (pass), mid 0.50 (pass), hard 3.00 (fail) points.",
            "  - **pass** — single_task task=easy, steps 8–10 (2 evaluations): easy 0.10 (pass) points.",
            "  - **pass** — single_task task=mid, steps 8–10 (2 evaluations): mid 0.10 (pass) points.",
            "  - **pass** — single_task task=hard, steps 8–10 (2 evaluations): hard 0.10 (pass) points.",
            "- Step size: Σw, the sum of the task weights the trainer applied (mean over seeds), at the first recorded step and "
                + "averaged over the last 20 % of training; a late Σw below 0.5 or above 2 times the first fails — adaptive "
                + "optimisers such as Adam cancel a constant scale of the loss, not one that drifts during training. In brackets: "
                + "late Σw over the first, and over T = 3, the sum of uniform weights (which matters under plain SGD):",
            "  - **pass** — base: 3.00 at step 1, 3.00 late (×1.00; 1.00 T).",
            "  - **pass** — up: 7.50 at step 1, 7.50 late (×1.00; 2.50 T).",
            "  - **fail** — down: 3.00 at step 1, 0.34 late (×0.11; 0.11 T): its step size drifts over training.",
            "",
        ])
    }

    @Test func theDaggerAndTheTestTableUseTheCorrectedPValues() throws {
        let report = try ExperimentReport(experimentNamed: "three", store: try store())
        // up's mid (p = 0.035) had a dagger before the correction; after it only up easy and down hard keep one.
        // (up and base tie on hard.)
        #expect(report.comparisonTable[3].hasPrefix("| up | **96.0 ± 2.0** † | **78.0 ± 1.7** | **62.0 ± 1.7** |"))
        #expect(report.comparisonTable[4].hasPrefix("| down | 85.0 ± 1.0 | 73.0 ± 1.0 | 41.0 ± 1.0 † |"))
        let lines = report.markdown.components(separatedBy: "\n")
        #expect(lines.contains { $0.contains("† differs from `base` at p < 0.05 after Holm–Bonferroni correction across the 6 tests of this report") })
        #expect(lines.contains { $0.hasPrefix("| up | +11.0 · p = 0.003 · Holm p = 0.014 † | +3.0 · p = 0.035 · Holm p = 0.140 | ") })
        #expect(lines.contains { $0.hasPrefix("| down | ") && $0.hasSuffix(" | -21.0 · p < 0.001 · Holm p = 0.005 † |") })
    }

    @Test func overlappingIntervalsAndAWrongOrderFailAndALooseMaximumPasses() throws {
        let overlap = try ExperimentReport(experimentNamed: "three",
                                           store: try store(difficulty: "{ order: [easy, mid, hard], min_gap: 1, max_single_task: 0.99 }"))
        let lines = try findings(overlap.markdown)
        // Single-task mid 85.0 [82.5, 87.5] and hard 83.0 [80.5, 85.5]: 2 points apart, more than 1, but the intervals meet.
        #expect(lines.contains("  - **fail** — single-task: easy 97.0 [94.5, 99.5], mid 85.0 [82.5, 87.5], hard 83.0 [80.5, 85.5]; "
                               + "gaps +12.0 (pass), +2.0 (fail: 95 % intervals overlap)."))
        #expect(lines.contains("- **pass** — no single-task validation KPI above 99.0 % (`report.difficulty.max_single_task`); the highest: easy 97.0 %."))

        let reversed = try ExperimentReport(experimentNamed: "three", store: try store(difficulty: "{ order: [hard, easy] }"))
        let reversedLines = try findings(reversed.markdown)
        #expect(reversedLines.contains("- Difficulty (`report.difficulty`), on the validation KPI after the last step in %, with its 95 % t "
                                       + "interval: hard > easy, easiest first, with the intervals apart."))
        #expect(reversedLines.contains("  - **fail** — base: hard 62.0 [57.0, 67.0], easy 85.0 [82.5, 87.5]; gaps −23.0 (fail: wrong order)."))
        #expect(!reversedLines.contains { $0.contains("max_single_task") })
    }

    @Test func theWeightSumFigureHasALinePerPolicyAndTheUniformSum() throws {
        let report = try ExperimentReport(experimentNamed: "three", store: try store())
        let figure = try #require(try report.figures([.weightSum]).first)
        #expect(figure.fileName == "weight-sum-over-training.svg" && figure.kind == .weightSum)
        let svg = ParsedSVG(figure.svg)
        #expect(svg.seriesNames == ["base", "up", "down"])
        #expect(svg.all("line", class: "reference").count == 1)
        #expect(report.markdown(figures: [figure], directory: "three").contains("### Sum of the task weights over training"))
    }
}
