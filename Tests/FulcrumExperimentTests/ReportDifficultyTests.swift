import Foundation
import FulcrumCore
@testable import FulcrumExperiment
import FulcrumTestSupport
import GRDB
import Testing

/// `report.difficulty`: read from the manifest, checked against its tasks, kept in the store's
/// experiment row (and absent from stores written before it existed).
@Suite("Manifest and store: report.difficulty")
struct ReportDifficultyTests {
    let scratch = ScratchDirectory()

    func manifestFile(report: String) -> String {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1 } end }")
        return scratch.write("m.yaml", tinyManifest(policies: "  p: { script: \(policy) }") + "\nreport:\n\(report)\n")
    }

    @Test func theExpectedOrderGapAndMaximumAreRead() throws {
        let manifest = try Manifest.load(manifestFile(report: "  difficulty: { order: [level, coarse], min_gap: 5, max_single_task: 0.95 }"))
        #expect(manifest.report.difficulty == DifficultyExpectation(order: ["level", "coarse"], minimumGap: 5, maximumSingleTask: 0.95))
        let bare = try Manifest.load(manifestFile(report: "  difficulty: { order: [coarse, level] }"))
        #expect(bare.report.difficulty == DifficultyExpectation(order: ["coarse", "level"], minimumGap: 0, maximumSingleTask: nil))
        let maximumOnly = try Manifest.load(manifestFile(report: "  difficulty: { max_single_task: 0.9 }"))
        #expect(maximumOnly.report.difficulty == DifficultyExpectation(order: [], maximumSingleTask: 0.9))
        #expect(try Manifest.load(manifestFile(report: "  baseline: p")).report.difficulty == nil)
    }

    @Test(arguments: [
        ("{ order: [coarse, pose] }", ["report.difficulty.order[1]: 'pose' is not a task of this manifest (coarse, level)"]),
        ("{ order: [coarse] }", ["report.difficulty.order: expected at least two task names, easiest first"]),
        ("{ order: [coarse, coarse] }", ["report.difficulty.order: each task may appear once"]),
        ("{ order: [coarse, level], min_gap: -1 }", ["report.difficulty.min_gap: expected a gap in KPI points in [0, 100], got '-1'"]),
        ("{ max_single_task: 95 }", ["report.difficulty.max_single_task: expected a KPI in (0, 1], got '95'"]),
        ("{ min_gap: 5 }", ["report.difficulty: expected 'order' (task names, easiest first) or 'max_single_task'"]),
        ("{ order: [coarse, level], gap: 5 }",
         ["report.difficulty.gap: unknown key 'gap'; expected one of: order, min_gap, max_single_task"]),
    ])
    func badDifficultyNamesTheKeyPath(difficulty: String, expected: [String]) throws {
        let error = try #require(throws: ManifestError.self) { try Manifest.load(manifestFile(report: "  difficulty: \(difficulty)")) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == expected)
    }

    @Test func theStoreKeepsItInTheExperimentRow() throws {
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let manifest = try Manifest.load(manifestFile(report: "  difficulty: { order: [level, coarse], min_gap: 2.5 }"))
        try store.recordExperiment(manifest)
        #expect(try store.experiment(named: "tiny")?.difficulty == DifficultyExpectation(order: ["level", "coarse"], minimumGap: 2.5))
        // Recorded again without it (the manifest was edited): gone.
        try store.recordExperiment(try Manifest.load(manifestFile(report: "  baseline: p")))
        #expect(try store.experiment(named: "tiny")?.difficulty == nil)
    }

    @Test func aV5StoreOpensWithNoExpectation() throws {
        let path = "\(scratch.path)/v5.sqlite"
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v5: test-split evaluations")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO experiment (name, description, manifest_path, manifest_hash, tasks, policies, seeds, steps, baseline, updated_at)
                    VALUES ('old', '', 'old.yaml', 'h', '[]', '["a"]', '[1]', 5, 'a', '2026-01-01T00:00:00Z');
                """)
        }
        try queue.close()
        let experiment = try #require(try RunStore(path: path).experiment(named: "old"))
        #expect(experiment.baseline == "a" && experiment.difficulty == nil)
    }
}
