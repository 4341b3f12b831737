import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua
import FulcrumTestSupport
import GRDB
import Testing

@Suite("Runner: sweeps, baselines, divergence, interruption, shards")
struct SweepRunnerTests {
    let scratch = ScratchDirectory()
    let equal = "  equal: { script: \(repositoryRoot)/policies/equal.lua }"
    let dtp = "  dtp: { script: \(repositoryRoot)/policies/dtp.lua }"

    func manifest(_ extra: String = "", steps: Int = 10, seeds: String = "[1]", policies: String? = nil) throws -> Manifest {
        try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: steps, seeds: seeds, policies: policies ?? equal) + "\n" + extra))
    }

    func storedRuns(_ store: RunStore, _ name: String = "tiny") throws -> [StoredRun] {
        try store.runs(of: try #require(try store.experiment(named: name)))
    }

    @Test func everySweepPointIsARunWithItsPointStored() throws {
        let manifest = try manifest("sweep:\n  policies.dtp.options.gamma: [1, 2]\n  train.lr: [0.01, 0.003]", policies: dtp)
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run(RunSelection(jobs: 2))
        #expect(outcomes.map(\.status) == Array(repeating: .finished, count: 4))
        let runs = try storedRuns(store)
        #expect(Set(runs.map(\.point.json)) == [#"{"policies.dtp.options.gamma":1,"train.lr":0.01}"#, #"{"policies.dtp.options.gamma":1,"train.lr":0.003}"#,
                                            #"{"policies.dtp.options.gamma":2,"train.lr":0.01}"#, #"{"policies.dtp.options.gamma":2,"train.lr":0.003}"#])
        #expect(Set(runs.map(\.definitionHash)).count == 2)
        #expect(runs.allSatisfy { $0.options.contains(#""gamma":\#($0.point.json.contains("gamma\":1,") ? 1 : 2)"#) })
        #expect(runs.allSatisfy { $0.stepsPerSecond! > 0 && $0.policyMicrosecondsPerStep! > 0 && $0.peakMemoryBytes! > 1 << 20 })
        #expect(runs.allSatisfy { $0.machine != nil && $0.gitCommit?.isEmpty == false })
        // The kernels decide the last digits: the machine names them and the BLAS threads.
        #expect(runs.allSatisfy { $0.machine?.hasSuffix(", \(BLASThreads.version) core \(BLASThreads.coreName), 1 thread") == true })
        #expect(BLASThreads.version.hasPrefix("OpenBLAS 0.") && !BLASThreads.coreName.isEmpty && BLASThreads.coreName != "unknown")
    }

    @Test func aSingleTaskBaselineTrainsItsTaskAtTheExperimentsPosition() throws {
        let manifest = try manifest("baselines: single_task")
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(outcomes.map(\.run.label) == ["equal seed 1", "single_task task=coarse seed 1", "single_task task=level seed 1"])
        #expect(outcomes.allSatisfy { $0.status == .finished })
        let level = try #require(try storedRuns(store).first { $0.point.singleTask == "level" })
        #expect(level.policy == "single_task" && level.tasks == [1])
        let series = try store.stepSeries(ofRun: level.id)
        #expect(series.count == 10 && series.allSatisfy { $0.task == 1 && $0.weight == 1 })
        #expect(try store.evaluations(ofRun: level.id).allSatisfy { $0.kpi.count == 1 })
    }

    @Test func recordEverySamplesTheSeriesAndKeepsEverySignalForReplay() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 10, seeds: "[1]", policies: dtp)
            .replacingOccurrences(of: "  steps: 10", with: "  steps: 10\n  record_every: 4")))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let run = try #require(try ExperimentRunner(manifest: manifest, store: store).run().first)
        #expect(Set(try store.stepSeries(ofRun: run.run.id).map(\.step)) == [1, 4, 8, 10])
        let replayed = try PolicyReplay.replay(file: "\(repositoryRoot)/policies/dtp.lua", run: run.run.id, store: store)
        #expect(replayed.map(\.step) == Array(1...10))
        #expect(replayed.filter { $0.applied != nil }.map(\.step) == [1, 4, 8, 10])
        #expect(replayed.allSatisfy { $0.applied == nil || $0.applied == $0.weights.shared })
    }

    @Test func aDivergingRunIsMarkedWithItsStepAndTheOthersFinish() throws {
        let blowUp = scratch.write("blow_up.lua", """
            local P = { name = "blow_up" }
            function P:weights(s)
              if s.step >= 3 then return { 1e300, 1 } end
              return { 1, 1 }
            end
            return P
            """)
        let manifest = try manifest(policies: equal + "\n  blow_up: { script: \(blowUp) }")
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(outcomes.map(\.status) == [.finished, .diverged])
        let diverged = try #require(try storedRuns(store).first { $0.policy == "blow_up" })
        #expect(diverged.status == .diverged && diverged.divergedStep == 4)
        #expect(diverged.error?.hasPrefix("diverged at step 4: loss of task ") == true)
        #expect(diverged.stepsDone == 3)
    }

    @Test func stoppingInterruptsTheRunInFlightAndTheNextRunFinishesEverything() throws {
        let manifest = try manifest(steps: 40, seeds: "[1, 2]")
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let stopper = StopAtStep(5)
        let runner = ExperimentRunner(manifest: manifest, store: store, observer: stopper)
        stopper.runner = runner
        let outcomes = try runner.run()
        #expect(outcomes.map(\.status) == [.interrupted])  // the second run never started
        #expect(stopper.interrupted)
        let interrupted = try #require(try storedRuns(store).first)
        #expect(interrupted.status == .interrupted && interrupted.stepsDone == 5)
        #expect(interrupted.error == "interrupted after step 5 (Ctrl-C); the next `fulcrum run` trains it again")

        let resumed = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(resumed.map(\.status) == [.finished, .finished] && !resumed.contains(where: \.skipped))
        for run in try storedRuns(store) {
            #expect(run.status == .finished)
            #expect(try store.stepSeries(ofRun: run.id).count == 40 * 2)  // nothing duplicated from the interrupted attempt
        }
    }

    @Test func shardsPartitionThePlan() throws {
        let manifest = try manifest("sweep:\n  train.lr: [0.01, 0.003, 0.001]", seeds: "[1, 2]", policies: equal + "\n" + dtp)
        let runner = ExperimentRunner(manifest: manifest, store: try RunStore(path: "\(scratch.path)/s.sqlite"))
        let slices = try (1...3).map { try runner.plannedRuns(RunSelection(shard: .parse("\($0)/3"))).map(\.id) }
        #expect(slices.map(\.count) == [4, 4, 4])
        #expect(Set(slices.joined()) == Set(runner.plannedRuns.map(\.id)) && Set(slices.joined()).count == 12)
        for bad in ["0/2", "3/2", "x", "1/0", "1/2/3"] {
            #expect(throws: RunSelection.SelectionError(message: "--shard: expected i/N with 1 ≤ i ≤ N (e.g. 2/4), got '\(bad)'")) {
                try RunSelection.Shard.parse(bad)
            }
        }
    }
}

@Suite("Shards merged equal one unsharded sweep")
struct ShardMergeTests {
    let scratch = ScratchDirectory()

    /// Every row of the tables that hold what was trained, sorted; for runs, the columns that do
    /// not depend on when or how fast they ran.
    func contents(_ path: String) throws -> [[String]] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var rows: [[String]] = []
            let runColumns = "id, experiment, manifest_hash, definition_hash, policy, point, tasks, policy_file, policy_hash, options, seed, status, error, diverged_step, steps_done, total_steps"
            for (table, columns) in [("run", runColumns), ("step", "*"), ("evaluation", "*"), ("policy_log", "*"), ("run_output", "*"), ("step_signals", "*")] {
                rows += try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table)").map { row in
                    [table] + row.databaseValues.map { String.fromDatabaseValue($0) ?? $0.description }
                }
            }
            return rows.sorted { $0.lexicographicallyPrecedes($1) }
        }
    }

    @Test func threeShardsMergedHoldExactlyWhatOneUnshardedRunHolds() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 12, seeds: "[1, 2]", policies: """
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              dwa: { script: \(repositoryRoot)/policies/dwa.lua }
            """) + "\nsweep:\n  train.lr: [0.01, 0.02]\nbaselines: single_task"))
        let whole = "\(scratch.path)/whole.sqlite"
        try ExperimentRunner(manifest: manifest, store: try RunStore(path: whole)).run(RunSelection(jobs: 2))

        let merged = try RunStore(path: "\(scratch.path)/merged.sqlite")
        var trained = 0
        for index in 1...3 {
            let path = "\(scratch.path)/shard-\(index).sqlite"
            let outcomes = try ExperimentRunner(manifest: manifest, store: try RunStore(path: path))
                .run(RunSelection(jobs: 2, shard: .init(index: index, count: 3)))
            trained += outcomes.count
            _ = try merged.merge(from: path)
        }
        #expect(trained == (2 * 2 + 2 * 2) * 2)  // 2 policies × 2 rates, 2 tasks alone × 2 rates; 2 seeds
        let expected = try contents(whole)
        #expect(expected.filter { $0[0] == "run" }.count == 16)
        #expect(try contents(merged.path) == expected)
    }
}

/// Asks the runner to stop when a run reaches `step`, as Ctrl-C would.
final class StopAtStep: SweepObserver, @unchecked Sendable {
    let step: Int
    weak var runner: ExperimentRunner?
    private(set) var interrupted = false

    init(_ step: Int) { self.step = step }

    func sweepStarted(toTrain count: Int, skipped: [ExperimentRunner.PlannedRun]) {}
    func runStarted(_ run: ExperimentRunner.PlannedRun, totalSteps: Int) {}
    func runAdvanced(_ run: ExperimentRunner.PlannedRun, step: Int) { if step == self.step { runner?.requestStop() } }
    func runEnded(_ run: ExperimentRunner.PlannedRun, _ ending: RunEnding) {}
    func runTrainedElsewhere(_ run: ExperimentRunner.PlannedRun, by holder: String) {}
    func runTakenOver(_ run: ExperimentRunner.PlannedRun, from holder: String) {}
    func sweepEnded(interrupted: Bool) { self.interrupted = interrupted }
}
