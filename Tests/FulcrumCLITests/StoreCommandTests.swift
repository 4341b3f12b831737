import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumStoreFixtures
import FulcrumTestSupport
import GRDB
import Testing

/// A project whose stores are written through the store fixture (no training): experiments `demo`
/// and `gone` with one policy `a`, manifests in experiments/, recorded under their relative paths as
/// `fulcrum run` records them.
struct StoreProject {
    let scratch = ScratchDirectory()
    var path: String { scratch.path }

    /// Writes `runs` (id, experiment, seed, ending) into the store `file`, three steps each.
    func store(_ runs: [(String, String, UInt64, RunEnding)], file: String = "runs/fulcrum.sqlite") throws {
        let fixture = try StoreFixture(scratch, file: file)
        var manifests: [String: Manifest] = [:]
        for experiment in Set(runs.map(\.1)).sorted() {
            manifests[experiment] = try fixture.experiment(experiment, policies: ["a"], steps: 3, evaluateEvery: 3, directory: "experiments")
        }
        for (id, experiment, seed, ending) in runs {
            try fixture.run(id, of: manifests[experiment]!, seed: seed, steps: 3, ending: ending)
        }
        // `fulcrum run experiments/NAME.yaml` records the path as given, relative to the repository root.
        try DatabaseQueue(path: "\(path)/\(file)").write { db in
            try db.execute(sql: "UPDATE experiment SET manifest_path = 'experiments/' || name || '.yaml'")
        }
    }
}

let finishedRun = RunEnding(status: .finished, wallSeconds: 1.5, stepsPerSecond: 200, policyMicrosecondsPerStep: 40)

@Suite("fulcrum runs, export, gc, merge", .serialized)
struct StoreCommandTests {
    @Test func runsListsTheStoreAndFilters() throws {
        let project = StoreProject()
        try project.store([("1111111111111111", "demo", 1, finishedRun),
                           ("2222222222222222", "demo", 2, RunEnding(status: .failed, error: "policy a step 3: boom\ntraceback", wallSeconds: 0.5))])
        let all = try fulcrum(["runs"], in: project.path)
        #expect(all.status == 0, "stderr: \(all.error)")
        #expect(all.output == """
            id                experiment  policy  point  seed  status    steps  wall s  steps/s  policy µs/step  error
            1111111111111111  demo        a                 1  finished    3/3     1.5    200.0            40.0
            2222222222222222  demo        a                 2  failed      3/3     0.5        —               —  policy a step 3: boom
            2 runs: 1 finished, 1 failed

            """)
        let failed = try fulcrum(["runs", "--status", "failed", "--json"], in: project.path)
        #expect(failed.status == 0)
        #expect(failed.output.hasPrefix(#"{"current":true,"#))
        #expect(failed.output.contains(#""error":"policy a step 3: boom\ntraceback","#))
        #expect(failed.output.components(separatedBy: "\n") .count == 2)
        let bad = try fulcrum(["runs", "--status", "done"], in: project.path)
        #expect(bad.status == 64)
        #expect(bad.error.hasPrefix("Error: unknown run status 'done'; expected one of: running, finished, failed, diverged, interrupted\n"))
    }

    @Test func exportWritesOneCSVPerTable() throws {
        let project = StoreProject()
        try project.store([("1111111111111111", "demo", 1, finishedRun), ("3333333333333333", "gone", 1, finishedRun)])
        let export = try fulcrum(["export", "--csv", "csv/demo", "--experiment", "demo"], in: project.path)
        #expect(export.status == 0, "stderr: \(export.error)")
        #expect(export.output == """
            wrote csv/demo/experiments.csv (1 row)
            wrote csv/demo/runs.csv (1 row)
            wrote csv/demo/steps.csv (6 rows)
            wrote csv/demo/evaluations.csv (4 rows)
            wrote csv/demo/logs.csv (3 rows)

            """)
        let steps = try String(contentsOfFile: "\(project.path)/csv/demo/steps.csv", encoding: .utf8).components(separatedBy: "\n")
        #expect(steps[0] == "experiment,run_id,policy,point,seed,step,task,loss,kpi,weight,head_weight")
        #expect(steps[2] == "demo,1111111111111111,a,{},1,1,second,0.25,0.75,0.5,2.0")
        let unknown = try fulcrum(["export", "--csv", "csv", "--experiment", "dmeo"], in: project.path)
        #expect(unknown.status == 1)
        #expect(unknown.error == "Error: no experiment 'dmeo' in the store; known: demo, gone\n")
    }

    @Test func gcDropsTheExperimentWhoseManifestWasDeleted() throws {
        let project = StoreProject()
        try project.store([("1111111111111111", "demo", 1, finishedRun), ("3333333333333333", "gone", 1, finishedRun),
                           ("4444444444444444", "gone", 2, finishedRun)])
        try FileManager.default.removeItem(atPath: "\(project.path)/experiments/gone.yaml")
        let dry = try fulcrum(["gc", "--dry-run"], in: project.path)
        #expect(dry.output == """
            experiment gone: manifest experiments/gone.yaml no longer exists — 2 runs
            dry run: would drop 1 experiment and 2 runs; nothing deleted

            """)
        let gc = try fulcrum(["gc"], in: project.path)
        #expect(gc.status == 0, "stderr: \(gc.error)")
        let lines = gc.output.components(separatedBy: "\n")
        #expect(lines.prefix(2) == ["experiment gone: manifest experiments/gone.yaml no longer exists — 2 runs", "dropped 1 experiment and 2 runs"])
        #expect(lines[2].hasPrefix("store size: "))
        #expect(try fulcrum(["runs"], in: project.path).output.hasSuffix("\n1 run: 1 finished\n"))
        #expect(try fulcrum(["gc"], in: project.path).output.hasPrefix("nothing to drop\n"))
    }

    @Test func mergeBringsTheShardsOfASweepTogether() throws {
        let project = StoreProject()
        try project.store([("1111111111111111", "demo", 1, finishedRun)], file: "runs/shard-1.sqlite")
        try project.store([("2222222222222222", "demo", 2, finishedRun)], file: "runs/shard-2.sqlite")
        let merge = try fulcrum(["merge", "runs/shard-1.sqlite", "runs/shard-2.sqlite"], in: project.path)
        #expect(merge.status == 0, "stderr: \(merge.error)")
        #expect(merge.output == """
            merged 1 run from runs/shard-1.sqlite (0 already finished in the target, skipped)
            merged 1 run from runs/shard-2.sqlite (0 already finished in the target, skipped)

            """)
        #expect(try fulcrum(["runs"], in: project.path).output.hasSuffix("\n2 runs: 2 finished\n"))
        let again = try fulcrum(["merge", "runs/shard-1.sqlite"], in: project.path)
        #expect(again.output == "merged 0 runs from runs/shard-1.sqlite (1 already finished in the target, skipped)\n")

        // Every source is checked before any is merged.
        let typo = try fulcrum(["merge", "runs/shard-2.sqlite", "runs/shard-3.sqlite", "--store", "runs/other.sqlite"], in: project.path)
        #expect(typo.status == 1)
        #expect(typo.error == "Error: cannot merge runs/shard-3.sqlite: no such file\n")
        #expect(!FileManager.default.fileExists(atPath: "\(project.path)/runs/other.sqlite"))
        let itself = try fulcrum(["merge", "runs/fulcrum.sqlite"], in: project.path)
        #expect(itself.error == "Error: cannot merge runs/fulcrum.sqlite into itself: it is the target store (--store runs/fulcrum.sqlite)\n")
    }
}
