import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumStoreFixtures
import FulcrumTestSupport
import GRDB
import Testing

@Suite("Store tools: listing runs")
struct StoreToolsListingTests {
    let scratch = ScratchDirectory()

    /// alpha: a/1 finished, a/2 failed, b/1 diverged; beta: a/1 at lr 0.001 still running, a/1 without a sweep finished.
    func listedStore() throws -> RunStore {
        let written = try StoreFixture(scratch)
        let alpha = try written.experiment("alpha"), beta = try written.experiment("beta")
        try written.run("00000000000000b1", of: alpha, policy: "b", seed: 1,
                        ending: RunEnding(status: .diverged, error: "loss of task second became nan at step 2 (the policy's weights were 1e308, 1e308)",
                                          divergedStep: 2, wallSeconds: 0.25))
        try written.run("00000000000000a2", of: alpha, seed: 2,
                        ending: RunEnding(status: .failed, error: "policy a step 2: p.lua:1: boom\nstack traceback: p.lua:1", wallSeconds: 1.5))
        try written.run("00000000000000a1", of: alpha, seed: 1,
                        ending: RunEnding(status: .finished, wallSeconds: 2, stepsPerSecond: 1000.04, policyMicrosecondsPerStep: 12.34))
        try written.run("00000000000000c1", of: beta, pointJSON: #"{"train.lr":0.001}"#, ending: nil)
        try written.store.recordSchedule(run: "00000000000000c1", totalSteps: 40, stepsPerEpoch: 4)
        try written.run("00000000000000c0", of: beta, ending: RunEnding(status: .finished, wallSeconds: 3))
        return written.store
    }

    @Test func runsAreOrderedByExperimentPolicyPointSeed() throws {
        let ids = try listedStore().listRuns().map(\.run.id)
        // beta's sweep points sort as JSON text: {"train.lr":0.001} before {}.
        #expect(ids == ["00000000000000a1", "00000000000000a2", "00000000000000b1", "00000000000000c1", "00000000000000c0"])
    }

    @Test func eachFilterKeepsOnlyTheMatchingRuns() throws {
        let store = try listedStore()
        func ids(_ filter: RunFilter) throws -> [String] { try store.listRuns(filter).map { String($0.run.id.suffix(2)) } }
        #expect(try ids(RunFilter(experiment: "beta")) == ["c1", "c0"])
        #expect(try ids(RunFilter(policy: "b")) == ["b1"])
        #expect(try ids(RunFilter(status: .finished)) == ["a1", "c0"])
        #expect(try ids(RunFilter(status: .running)) == ["c1"])
        #expect(try ids(RunFilter(seed: 2)) == ["a2"])
        #expect(try ids(RunFilter(experiment: "alpha", policy: "a", seed: 1)) == ["a1"])
        #expect(try ids(RunFilter(status: .interrupted)) == [])
        #expect(RunListing.table(try store.listRuns(RunFilter(status: .interrupted))) == "0 runs\n")
    }

    @Test func tableShowsStatusStepsCostAndTheErrorsFirstLine() throws {
        let table = RunListing.table(try listedStore().listRuns())
        #expect(table == """
            id                experiment  policy  point           seed  status    steps  wall s  steps/s  policy µs/step  error
            00000000000000a1  alpha       a                          1  finished    2/2     2.0   1000.0            12.3
            00000000000000a2  alpha       a                          2  failed      2/2     1.5        —               —  policy a step 2: p.lua:1: boom
            00000000000000b1  alpha       b                          1  diverged    2/2     0.2        —               —  loss of task second became nan at step 2 (the policy's weig…
            00000000000000c1  beta        a       train.lr=0.001     1  running    2/40       —        —               —
            00000000000000c0  beta        a                          1  finished    2/2     3.0        —               —
            5 runs: 1 running, 2 finished, 1 failed, 1 diverged

            """)
    }

    @Test func unknownStatusOrExperimentIsAnErrorListingTheValidOnes() throws {
        let store = try listedStore()
        #expect(throws: StoreToolError("unknown run status 'done'; expected one of: running, finished, failed, diverged, interrupted")) {
            try RunFilter.status(named: "done")
        }
        #expect(throws: StoreToolError("no experiment 'gamma' in the store; known: alpha, beta")) {
            try store.listRuns(RunFilter(experiment: "gamma"))
        }
        #expect(try RunFilter.status(named: "diverged") == .diverged)
    }

    @Test func jsonLineHasTheStoreColumnsWithPointAndOptionsAsJSON() throws {
        let listed = try #require(try listedStore().listRuns(RunFilter(experiment: "beta")).first)
        let line = try RunListing.jsonLine(listed)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "00000000000000c1")
        #expect(object["point"] as? [String: Double] == ["train.lr": 0.001])
        #expect(object["options"] as? [String: Double] == [:])
        #expect(object["seed"] as? Int == 1)
        #expect(object["status"] as? String == "running")
        #expect(object["steps_done"] as? Int == 2)
        #expect(object["total_steps"] as? Int == 40)
        #expect(object["current"] as? Bool == true)
        #expect(object["error"] is NSNull)
        #expect(object["wall_seconds"] is NSNull)
    }

    @Test func runsLeftBehindByTheCurrentManifestAreMarkedStale() throws {
        let written = try StoreFixture(scratch)
        let tiny = try written.experiment("tiny")
        try written.run("00000000000000d1", of: tiny)
        try written.run("00000000000000d2", of: tiny, seed: 2)
        try written.store.retireRuns(of: "tiny", manifestHash: tiny.hash, keeping: ["00000000000000d2"])
        let runs = try written.store.listRuns()
        #expect(runs.map(\.isCurrent) == [false, true])
        let lines = RunListing.table(runs).components(separatedBy: "\n")
        #expect(lines[1].contains("  finished (stale)  "))
        #expect(lines[3] == "2 runs: 2 finished; 1 stale (not in the current manifest; fulcrum gc --stale drops them)")
    }

    @Test func sweepPointIsShownAsSortedKeyValuePairs() throws {
        #expect(try SweepPoint(json: "{}").label == "")
        #expect(try SweepPoint(json: #"{"train.lr":0.001}"#).label == "train.lr=0.001")
        #expect(try SweepPoint(json: #"{"train.optimizer":"adam","model.trunk":[8,8],"policies.dtp.options.gamma":2}"#).label
                == "model.trunk=[8,8] gamma=2 train.optimizer=adam")
    }

    @Test func sweepPointKeepsItsStoredJSONAndTypesItsKeys() throws {
        let json = #"{"model.task_order":["b","a"],"policies.dtp.options.gamma":2,"task":"a","train.lr":0.001}"#
        let point = try SweepPoint(json: json)
        #expect(point.json == json)
        #expect(point[.taskOrder] == .list([.string("b"), .string("a")]) && point.singleTask == "a")
        #expect(point[.policyOption(policy: "dtp", option: "gamma")] == .number(2) && point[.definition("train.lr")] == .number(0.001))
        #expect(point.shared.json == #"{"model.task_order":["b","a"],"train.lr":0.001}"#)
        #expect(point.removing(.singleTask).label == "model.task_order=[b,a] gamma=2 train.lr=0.001")
        #expect(throws: (any Error).self) { try SweepPoint(json: "[1]") }
    }
}

/// Reads RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = "", quoted = false
    var characters = Array(text)[...]
    while let character = characters.popFirst() {
        switch (quoted, character) {
        case (true, "\"") where characters.first == "\"": field.append("\""); characters.removeFirst()
        case (true, "\""): quoted = false
        case (true, _): field.append(character)
        case (false, "\""): quoted = true
        case (false, ","): record.append(field); field = ""
        case (false, "\n"): records.append(record + [field]); record = []; field = ""
        default: field.append(character)
        }
    }
    return records
}

@Suite("Store tools: CSV export")
struct StoreToolsExportTests {
    let scratch = ScratchDirectory()

    func read(_ name: String) throws -> String { try String(contentsOfFile: "\(scratch.path)/csv/\(name)", encoding: .utf8) }

    @Test func csvFilesHoldTheStoresRowsWithTaskNames() throws {
        let written = try StoreFixture(scratch)
        let tiny = try written.experiment("tiny", description: #"'commas, "quotes"'"#)
        try written.run("r1", of: tiny, pointJSON: #"{"train.lr":0.001}"#,
                        ending: RunEnding(status: .failed, error: "boom, \"quoted\"\nsecond line", wallSeconds: 0.1))
        let tables = try written.store.exportCSV(to: "\(scratch.path)/csv")
        #expect(tables.map { ($0.path as NSString).lastPathComponent } == ["experiments.csv", "runs.csv", "steps.csv", "evaluations.csv", "logs.csv"])
        #expect(tables.map(\.rows) == [1, 1, 4, 4, 2])

        let point = #""{""train.lr"":0.001}""#
        #expect(try read("steps.csv") == """
            experiment,run_id,policy,point,seed,step,task,loss,kpi,weight,head_weight
            tiny,r1,a,\(point),1,1,first,1.0,0.5,1.0,1.0
            tiny,r1,a,\(point),1,1,second,0.25,0.75,0.5,2.0
            tiny,r1,a,\(point),1,2,first,2.0,0.5,1.0,1.0
            tiny,r1,a,\(point),1,2,second,0.25,0.75,0.5,2.0

            """)
        #expect(try read("evaluations.csv") == """
            experiment,run_id,policy,point,seed,split,step,task,loss,kpi
            tiny,r1,a,\(point),1,validation,0,first,1.0,0.125
            tiny,r1,a,\(point),1,validation,0,second,2.0,0.25
            tiny,r1,a,\(point),1,validation,2,first,0.5,0.75
            tiny,r1,a,\(point),1,validation,2,second,1.0,0.875

            """)
        // Doubles are written to read back exactly (2/3 with all its digits).
        #expect(try read("logs.csv") == """
            experiment,run_id,policy,point,seed,step,name,value
            tiny,r1,a,\(point),1,1,gap,0.3333333333333333
            tiny,r1,a,\(point),1,2,gap,0.6666666666666666

            """)

        let runs = try read("runs.csv")
        #expect(runs.hasPrefix("""
            id,experiment,manifest_hash,definition_hash,policy,point,tasks,policy_file,policy_hash,options,seed,status,error,\
            diverged_step,steps_done,started_at,finished_at,wall_seconds,steps_per_epoch,total_steps,steps_per_second,\
            policy_microseconds_per_step,peak_memory_bytes,git_commit,machine,generation,memory\n
            """))
        #expect(runs.contains(#",{},1,failed,"boom, ""quoted"""# + "\nsecond line\",,2,"))
        let records = parseCSV(runs)
        #expect(records.count == 2)
        let run = Dictionary(uniqueKeysWithValues: zip(records[0], records[1]))
        #expect(run["error"] == "boom, \"quoted\"\nsecond line")
        #expect(run["point"] == #"{"train.lr":0.001}"#)
        #expect(run["manifest_hash"] == tiny.hash)
        #expect(run["wall_seconds"] == "0.1")
        #expect(run["tasks"] == "")

        let experiments = parseCSV(try read("experiments.csv"))
        #expect(experiments[0].prefix(3) == ["name", "description", "manifest_path"])
        #expect(experiments[1].prefix(2) == ["tiny", #"commas, "quotes""#])
        #expect(experiments[1][4] == #"[{"kind":"classification","kpi":"accuracy","name":"first"},{"kind":"regression","kpi":"within ±0.5","name":"second"}]"#)
    }

    @Test func exportOfChosenExperimentsLeavesTheOthersOut() throws {
        let written = try StoreFixture(scratch)
        try written.run("r1", of: try written.experiment("alpha"))
        try written.run("r2", of: try written.experiment("beta"))
        try written.store.exportCSV(to: "\(scratch.path)/csv", experiments: ["beta"])
        #expect(parseCSV(try read("runs.csv")).dropFirst().map { $0[0] } == ["r2"])
        #expect(Set(parseCSV(try read("steps.csv")).dropFirst().map { $0[1] }) == ["r2"])
        #expect(throws: StoreToolError("no experiment 'gamma' in the store; known: alpha, beta")) {
            try written.store.exportCSV(to: "\(scratch.path)/csv", experiments: ["beta", "gamma"])
        }
    }
}

@Suite("Store tools: gc")
struct StoreToolsGCTests {
    let scratch = ScratchDirectory()

    /// Experiments `kept` (runs k1, k2) and `gone` (runs g1, g2, g3), whose manifest file is then deleted.
    func storeWithADeletedManifest() throws -> StoreFixture {
        let written = try StoreFixture(scratch)
        let kept = try written.experiment("kept"), gone = try written.experiment("gone")
        for id in ["k1", "k2"] { try written.run(id, of: kept) }
        for id in ["g1", "g2", "g3"] { try written.run(id, of: gone) }
        try FileManager.default.removeItem(atPath: gone.file)
        return written
    }

    @Test func dropsTheExperimentWhoseManifestIsGoneWithAllItsRows() throws {
        let written = try storeWithADeletedManifest()
        let collection = try written.store.collectGarbage(stale: false, dryRun: false)
        #expect(collection.lines.dropLast() == [
            "experiment gone: manifest \(scratch.path)/gone.yaml no longer exists — 3 runs",
            "dropped 1 experiment and 3 runs",
        ])
        #expect(collection.lines.last?.hasPrefix("store size: ") == true)
        #expect(try written.store.experimentNames() == ["kept"])
        #expect(try written.rows("run").map { $0[0] } == ["k1", "k2"])
        // Cascaded: no row of a dropped run is left in any table; the kept runs' rows are all there.
        for table in StoreFixture.runTables {
            #expect(try Set(written.rows(table).map { $0[0] }) == ["k1", "k2"], "\(table)")
        }
        #expect(try written.rows("step").count == 2 * 2 * 2)
        #expect(try written.rows("evaluation").count == 2 * 2 * 2)
    }

    @Test func dryRunPrintsTheSameAndDeletesNothing() throws {
        let written = try storeWithADeletedManifest()
        let before = try written.allRows()
        let collection = try written.store.collectGarbage(stale: true, dryRun: true)
        #expect(collection.lines == [
            "experiment gone: manifest \(scratch.path)/gone.yaml no longer exists — 3 runs",
            "dry run: would drop 1 experiment and 3 runs; nothing deleted",
        ])
        #expect(try written.allRows() == before)
    }

    @Test func staleDropsRetiredRunsAndRunsOfOlderManifestsAndKeepsCurrentOnes() throws {
        let written = try StoreFixture(scratch)
        let first = try written.experiment("tiny")
        try written.run("old", of: first)
        let edited = try written.experiment("tiny", description: "Edited, so the manifest hash changed.")
        try written.run("current", of: edited)
        try written.run("retired", of: edited, seed: 2)
        try written.store.retireRuns(of: "tiny", manifestHash: edited.hash, keeping: ["current"])

        #expect(try written.store.collectGarbage(stale: false, dryRun: false).lines.dropLast() == ["nothing to drop"])
        #expect(try written.rows("run").count == 3)
        let dry = try written.store.collectGarbage(stale: true, dryRun: true)
        #expect(dry.lines == [
            "experiment tiny: 2 stale runs (1 retired after a policy or training edit, 1 of an older manifest)",
            "dry run: would drop 2 runs; nothing deleted",
        ])
        #expect(try written.rows("run").count == 3)
        let collection = try written.store.collectGarbage(stale: true, dryRun: false)
        #expect(collection.lines.first == dry.lines.first)
        #expect(collection.lines.dropFirst().first == "dropped 2 runs")
        #expect(try written.rows("run").map { $0[0] } == ["current"])
        #expect(try Set(written.rows("step").map { $0[0] }) == ["current"])
    }
}

@Suite("Store tools: merge")
struct StoreToolsMergeTests {
    let scratch = ScratchDirectory()

    @Test func mergeOfDisjointStoresIsTheirUnion() throws {
        let first = try StoreFixture(scratch, file: "shard-1.sqlite")
        let alpha = try first.experiment("alpha")
        try first.run("a1", of: alpha)
        try first.run("a2", of: alpha, seed: 2, ending: RunEnding(status: .failed, error: "boom", wallSeconds: 1))
        let second = try StoreFixture(scratch, file: "shard-2.sqlite")
        try second.run("b1", of: try second.experiment("beta"), pointJSON: #"{"train.lr":0.001}"#, steps: 3)
        let target = try StoreFixture(scratch, file: "merged.sqlite")

        let results = try [first, second].map { try target.store.merge(from: $0.store.path) }
        #expect(results.map(\.line) == [
            "merged 2 runs from \(scratch.path)/shard-1.sqlite (0 already finished in the target, skipped)",
            "merged 1 run from \(scratch.path)/shard-2.sqlite (0 already finished in the target, skipped)",
        ])
        for table in StoreFixture.tables {
            let union = try (first.rows(table) + second.rows(table)).sorted { $0.lexicographicallyPrecedes($1) }
            #expect(try target.rows(table) == union, "\(table)")
        }
    }

    @Test func aRunFinishedInTheTargetIsKeptAndAnUnfinishedOneReplaced() throws {
        let target = try StoreFixture(scratch, file: "target.sqlite")
        let tiny = try target.experiment("tiny")
        try target.run("done", of: tiny, steps: 2)
        try target.run("unfinished", of: tiny, seed: 2, steps: 1, ending: nil)
        let source = try StoreFixture(scratch, file: "source.sqlite")
        try source.experiment("tiny")
        try source.run("done", of: tiny, steps: 3)
        try source.run("unfinished", of: tiny, seed: 2, steps: 3)
        let keptRows = try StoreFixture.runTables.map { try target.rows($0, run: "done") }

        let result = try target.store.merge(from: source.store.path)
        #expect(result.mergedRuns == 1 && result.skippedRuns == 1)
        #expect(try StoreFixture.runTables.map { try target.rows($0, run: "done") } == keptRows)
        for table in ["run"] + StoreFixture.runTables {
            #expect(try target.rows(table, run: "unfinished") == source.rows(table, run: "unfinished"), "\(table)")
        }
        #expect(try target.rows("step", run: "unfinished").count == 3 * 2)
    }

    @Test func mergingTheSameStoreTwiceChangesNothing() throws {
        let source = try StoreFixture(scratch, file: "source.sqlite")
        let tiny = try source.experiment("tiny")
        try source.run("done", of: tiny)
        try source.run("running", of: tiny, seed: 2, ending: nil)
        let target = try StoreFixture(scratch, file: "target.sqlite")
        try target.store.merge(from: source.store.path)
        let once = try target.allRows()
        let again = try target.store.merge(from: source.store.path)
        #expect(again.line == "merged 1 run from \(source.store.path) (1 already finished in the target, skipped)")
        #expect(try target.allRows() == once)
    }

    @Test func theNewerExperimentRecordWins() throws {
        let target = try StoreFixture(scratch, file: "target.sqlite")
        try target.experiment("tiny", description: "Target's.")
        let source = try StoreFixture(scratch, file: "source.sqlite")
        try source.experiment("tiny", description: "Source's.")
        func stamp(_ written: StoreFixture, _ time: String) throws {
            try DatabaseQueue(path: written.store.path).write { try $0.execute(sql: "UPDATE experiment SET updated_at = ?", arguments: [time]) }
        }
        try stamp(target, "2026-01-02T00:00:00Z")
        try stamp(source, "2026-01-01T00:00:00Z")
        try target.store.merge(from: source.store.path)
        #expect(try target.store.experiment(named: "tiny")?.description == "Target's.")
        try stamp(source, "2026-01-03T00:00:00Z")
        try target.store.merge(from: source.store.path)
        #expect(try target.store.experiment(named: "tiny")?.description == "Source's.")
        #expect(try target.rows("experiment") == source.rows("experiment"))
    }

    @Test func aMissingFileTheTargetItselfOrAnotherDatabaseIsRefusedByName() throws {
        let target = try StoreFixture(scratch, file: "target.sqlite")
        let path = target.store.path
        #expect(throws: StoreToolError("cannot merge \(scratch.path)/nope.sqlite: no such file")) {
            try target.store.merge(from: "\(scratch.path)/nope.sqlite")
        }
        #expect(throws: StoreToolError("cannot merge \(path) into itself: it is the target store (--store \(path))")) {
            try target.store.merge(from: path)
        }
        let text = scratch.write("notes.txt", "not a database, just some notes that are long enough to have a header")
        #expect(throws: StoreToolError("cannot merge \(text): not a Fulcrum run store (file is not a database)")) {
            try target.store.merge(from: text)
        }
        let other = "\(scratch.path)/other.sqlite"
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE notes (line TEXT)") }
        #expect(throws: StoreToolError("cannot merge \(other): not a Fulcrum run store (no run table)")) {
            try target.store.merge(from: other)
        }
    }
}
