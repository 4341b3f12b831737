import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua
import FulcrumReport
import FulcrumTestSupport
import Testing

/// The report of an experiment with generations: the comparison reads the last generation, the
/// Generations section and figures show the way there, on validation.
@Suite("Report: generations")
struct GenerationsReportTests {
    let scratch = ScratchDirectory()

    func trained() throws -> (RunStore, Manifest) {
        let manifest = try Manifest.load(scratch.write("m.yaml", """
            name: tiny
            data: { dataset: synthetic, input_dim: 6, train_size: 128, val_size: 64 }
            tasks:
              - { name: coarse, type: classification, classes: 3 }
              - { name: level, type: regression, outputs: 1, tolerance: 0.3 }
            model: { architecture: hard_sharing, trunk: [8] }
            train: { steps: 30, batch_size: 16, optimizer: adam, lr: 0.01, eval_every: 10 }
            seeds: [1, 2, 3]
            policies:
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              meta: { script: \(repositoryRoot)/policies/meta_dtp.lua, generations: 3, options: { warmup: 5 } }
            report: { baseline: equal }
            """))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run(RunSelection(jobs: 2))
        #expect(outcomes.count == 12 && outcomes.allSatisfy { $0.status == .finished })
        return (store, manifest)
    }

    @Test func theComparisonReadsTheLastGenerationAndTheSectionShowsEachOne() throws {
        let (store, _) = try trained()
        let report = try ExperimentReport(experimentNamed: "tiny", store: store)
        #expect(report.comparison.runs.filter { $0.policy == "meta" }.allSatisfy { $0.generation == 3 })
        #expect(report.comparison.runs.count == 6)
        let lines = report.markdown.components(separatedBy: "\n")
        #expect(lines.contains("## Generations"))
        let header = try #require(lines.first { $0.hasPrefix("| generation | runs |") })
        #expect(header == "| generation | runs | coarse | level | validation Δm (%) | alpha | gamma | prior_coarse | prior_level |")
        // Generation 3's Δm against equal's mean final validation KPIs, computed here from the store.
        let runs = try store.listRuns(RunFilter(experiment: "tiny")).map(\.run)
        func finalKPI(_ run: StoredRun) throws -> [Double] { try #require(try store.evaluations(ofRun: run.id).last).kpi }
        let equal = try runs.filter { $0.policy == "equal" }.map(finalKPI)
        let reference = (0..<2).map { t in equal.map { $0[t] }.reduce(0, +) / 3 }
        let third = try runs.filter { $0.generation == 3 }.map(finalKPI)
        let scores: [Double] = third.map { kpi in
            let changes: [Double] = (0..<2).map { (kpi[$0] - reference[$0]) / reference[$0] }
            return 100 * (changes[0] + changes[1]) / 2
        }
        let row = try #require(lines.first { $0.hasPrefix("| 3 | 3/3 |") })
        let mean = scores.reduce(0, +) / 3
        #expect(row.contains(String(format: "%+.2f [%+.2f, %+.2f]", mean, scores.min()!, scores.max()!)), "\(row)")
        #expect(lines.contains { $0.hasPrefix("| 1 | 3/3 |") } && lines.contains { $0.hasPrefix("| 2 | 3/3 |") })
        // Generation 3 trains the mean: one γ for all three runs, so no range.
        let gammas = try runs.filter { $0.generation == 3 }.map { run -> Double in
            let memory = try JSONDecoder().decode(MemoryValue.self, from: Data(try #require(run.memory).utf8))
            return try #require(memory["params"]?["gamma"]?.number)
        }
        #expect(Set(gammas).count == 1)
        #expect(lines.contains { $0.hasPrefix("Before their last generation, `meta` trained 6 more runs in ") })
        let figures = report.figures([.generations]).map(\.fileName)
        #expect(figures == ["generations-meta-score.svg", "generations-meta-params.svg"])
    }
}
