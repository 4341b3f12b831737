import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumTestSupport
import GRDB
import Synchronization
import Testing

/// Leases on runs: who may train a run when several sweeps share a store, what happens to the
/// lease of a process that is gone, and the writes of a sweep that lost its run.
@Suite("Run leases")
struct RunLeaseTests {
    let scratch = ScratchDirectory()

    /// A store that knows the experiment "tiny", which the runs below belong to.
    func store() throws -> RunStore {
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        try store.recordExperiment(try Manifest.load(scratch.write("tiny.yaml", tinyManifest(policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }"))))
        return store
    }

    func descriptor(_ id: String) -> RunDescriptor {
        RunDescriptor(id: id, experiment: "tiny", manifestHash: "h", policy: "equal", policyFile: "equal.lua",
                      policyHash: "p", optionsJSON: "{}", seed: 1)
    }

    func step(_ step: Int) -> StepRecord {
        StepRecord(step: step, epoch: 1, loss: [1], kpi: [0.5], weights: TaskWeights(shared: [1], heads: [1]),
                   signals: StepSignals(tasks: ["only"], step: step, epoch: 1, progress: 0, learningRate: 0.1,
                                        loss: [1], initialLoss: [1], weights: [1]),
                   output: PolicyOutput(logs: [], lines: []))
    }

    /// A lease row as another process would have written it.
    func insertLease(_ store: RunStore, run: String, host: String, pid: Int32, heartbeatAgo: Double) throws {
        let now = Date().timeIntervalSince1970
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(sql: """
                INSERT INTO run_lease (run_id, owner, host, pid, start_ticks, acquired_at, heartbeat_at, released_at)
                VALUES (?, 'other-sweep', ?, ?, NULL, ?, ?, NULL)
                """, arguments: [run, host, pid, now - heartbeatAgo, now - heartbeatAgo])
        }
    }

    @Test func aRunIsClaimedOnceWhileItsHolderLives() throws {
        let store = try store()
        let first = RunLease(), second = RunLease()
        #expect(try store.claimRun("r1", lease: first, force: false) == .claimed(takenOverFrom: nil))
        // The same process (alive, same host) holds it: the other sweep waits, even with --force.
        guard case .held(let holder) = try store.claimRun("r1", lease: second, force: true) else {
            Issue.record("the second sweep took a held run"); return
        }
        #expect(holder.owner == first.owner && holder.holder == ProcessIdentity.current)
        // Asking again is allowed to the holder (a later round of the same sweep).
        #expect(try store.claimRun("r1", lease: first, force: false) == .claimed(takenOverFrom: nil))
    }

    @Test func aRunEndedByAnotherSweepSinceThisOneBeganIsDoneHoweverItEnded() throws {
        let store = try store()
        let waiting = RunLease(sweepStartedAt: Date().timeIntervalSince1970 - 1)
        let trainer = RunLease()
        _ = try store.claimRun("r1", lease: trainer, force: false)
        try store.beginRun(descriptor("r1"), lease: trainer)
        try store.endRun("r1", RunEnding(status: .failed, error: "boom", wallSeconds: 1), lease: trainer)
        guard case .endedElsewhere(let stored) = try store.claimRun("r1", lease: waiting, force: false) else {
            Issue.record("a run failed by another sweep during this one was trained again"); return
        }
        #expect(stored.owner == trainer.owner && stored.releasedAt != nil)
        // A sweep begun after that end trains the failed run again, as a single process would.
        #expect(try store.claimRun("r1", lease: RunLease(), force: false) == .claimed(takenOverFrom: nil))
    }

    @Test func aFinishedRunIsNotClaimedUnlessForced() throws {
        let store = try store()
        let trainer = RunLease()
        _ = try store.claimRun("r1", lease: trainer, force: false)
        try store.beginRun(descriptor("r1"), lease: trainer)
        try store.endRun("r1", RunEnding(status: .finished, wallSeconds: 1), lease: trainer)
        let later = RunLease(sweepStartedAt: Date().timeIntervalSince1970 + 1)
        #expect(try store.claimRun("r1", lease: later, force: false) == .finished)
        #expect(try store.claimRun("r1", lease: later, force: true) == .claimed(takenOverFrom: nil))
    }

    @Test func aLeaseFromAnotherHostIsTakenOverOnlyOnceItsHeartbeatExpired() throws {
        let store = try store()
        let timing = LeaseTiming(heartbeatSeconds: 1, expirySeconds: 30)
        try insertLease(store, run: "fresh", host: "node-7", pid: 1, heartbeatAgo: 5)
        try insertLease(store, run: "stale", host: "node-7", pid: 1, heartbeatAgo: 31)
        let lease = RunLease()
        guard case .held = try store.claimRun("fresh", lease: lease, force: false, timing: timing) else {
            Issue.record("a lease with a fresh heartbeat was taken"); return
        }
        guard case .claimed(let previous?) = try store.claimRun("stale", lease: lease, force: false, timing: timing) else {
            Issue.record("an expired lease was not taken over"); return
        }
        #expect(previous.holder == ProcessIdentity(host: "node-7", pid: 1, startTicks: nil))
    }

    @Test func aLeaseOfAProcessGoneFromThisHostIsTakenOverAtOnce() throws {
        let store = try store()
        // A child that has exited and been reaped: its pid names no process now.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try insertLease(store, run: "r1", host: ProcessIdentity.current.host, pid: child.processIdentifier, heartbeatAgo: 0)
        guard case .claimed(let previous?) = try store.claimRun("r1", lease: RunLease(), force: false) else {
            Issue.record("the lease of a dead process was not taken over"); return
        }
        #expect(previous.holder.pid == child.processIdentifier)
        // Our own pid with another start time is a reused pid: gone as well.
        let reused = ProcessIdentity(host: ProcessIdentity.current.host, pid: getpid(), startTicks: (ProcessIdentity.current.startTicks ?? 0) + 1)
        #expect(reused.isGoneFromThisHost == (ProcessIdentity.current.startTicks != nil))
        #expect(!ProcessIdentity.current.isGoneFromThisHost)
    }

    @Test func aSweepThatLostItsRunWritesNothingMore() throws {
        let store = try store()
        let slow = RunLease()
        _ = try store.claimRun("r1", lease: slow, force: false)
        try store.beginRun(descriptor("r1"), lease: slow)
        try store.appendSteps([step(1)], run: "r1", lease: slow)
        // The slow sweep's heartbeat is taken for expired (expiry below zero): another takes the run over.
        let other = RunLease()
        guard case .claimed(let previous?) = try store.claimRun("r1", lease: other, force: false,
                                                                timing: LeaseTiming(expirySeconds: -1)) else {
            Issue.record("the run was not taken over"); return
        }
        #expect(previous.owner == slow.owner)
        try store.beginRun(descriptor("r1"), lease: other)
        #expect(throws: LeaseLost.self) { try store.appendSteps([self.step(2)], run: "r1", lease: slow) }
        #expect(throws: LeaseLost.self) { try store.endRun("r1", RunEnding(status: .finished, wallSeconds: 1), lease: slow) }
        do {
            try store.appendSteps([step(2)], run: "r1", lease: slow)
        } catch let lost as LeaseLost {
            #expect(lost.description == "run r1 was taken over by \(ProcessIdentity.current) (this process's heartbeat had expired); its training here is dropped")
        }
        try store.appendSteps([step(1), step(2)], run: "r1", lease: other)
        #expect(try store.stepSeries(ofRun: "r1").map(\.step) == [1, 2])
    }

    @Test func aHeartbeatRenewsOnlyTheLeasesItsSweepHolds() throws {
        let store = try store()
        try insertLease(store, run: "theirs", host: "node-7", pid: 1, heartbeatAgo: 100)
        let mine = RunLease()
        _ = try store.claimRun("a", lease: mine, force: false)
        _ = try store.claimRun("b", lease: mine, force: false)
        try store.endRun("b", RunEnding(status: .finished, wallSeconds: 1), lease: mine)
        #expect(try store.renewLeases(owner: mine.owner) == 1)
        let listed = try DatabaseQueue(path: store.path).read { db in
            try Double.fetchOne(db, sql: "SELECT heartbeat_at FROM run_lease WHERE run_id = 'theirs'")
        }
        #expect(try #require(listed) < Date().timeIntervalSince1970 - 99)
    }

    @Test func theListingSaysWhoHoldsARunAndWhetherTheHolderIsGone() throws {
        let store = try store()
        try store.beginRun(descriptor("alive"))
        try store.beginRun(descriptor("stale"))
        try store.beginRun(descriptor("ended"))
        try insertLease(store, run: "alive", host: "node-7", pid: 42, heartbeatAgo: 3)
        try insertLease(store, run: "stale", host: "node-7", pid: 43, heartbeatAgo: 500)
        let table = RunListing.table(try store.listRuns())
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].hasSuffix("held by"))
        #expect(lines.first { $0.hasPrefix("alive") }?.hasSuffix("node-7 pid 42, heartbeat 3 s ago") == true, "\(table)")
        #expect(lines.first { $0.hasPrefix("stale") }?.hasSuffix("node-7 pid 43, gone (heartbeat 500 s ago): the next fulcrum run takes it over") == true)
        #expect(lines.first { $0.hasPrefix("ended") }?.contains("pid") == false)
        let json = try RunListing.jsonLine(try #require(try store.listRuns().first { $0.run.id == "alive" }))
        #expect(json.contains(#""lease":{"acquired_at":"#) && json.contains(#""host":"node-7","live":true,"pid":42}"#))
    }

    @Test func twoSweepsOnOneStoreTrainEachRunOnce() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 200, seeds: "[1, 2, 3, 4, 5, 6]",
            policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }\n  dtp: { script: \(repositoryRoot)/policies/dtp.lua }")))
        let path = "\(scratch.path)/shared.sqlite"
        let runners = try (0..<2).map { _ in ExperimentRunner(manifest: manifest, store: try RunStore(path: path)) }
        let collected = Mutex<[[ExperimentRunner.Outcome]]>([[], []])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let outcomes = (try? runners[index].run(RunSelection(jobs: 1))) ?? []
            collected.withLock { $0[index] = outcomes }
        }
        let results = collected.withLock { $0 }
        let trained = results.flatMap { $0 }.filter { !$0.skipped }
        #expect(trained.count == 12 && Set(trained.map(\.run.id)).count == 12)
        #expect(trained.allSatisfy { $0.status == .finished })
        #expect(results.allSatisfy { $0.count == 12 })
        // What one sweep did not train, the other did (seen as trained elsewhere, or finished when it looked).
        for (index, outcomes) in results.enumerated() {
            let otherTrained = Set(results[1 - index].filter { !$0.skipped }.map(\.run.id))
            #expect(outcomes.filter(\.skipped).allSatisfy { otherTrained.contains($0.run.id) })
            #expect(outcomes.compactMap(\.trainedElsewhere).allSatisfy { $0 == ProcessIdentity.current.description })
        }
        let counts = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM step"), try String.fetchOne(db, sql: "PRAGMA integrity_check"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM run_lease WHERE released_at IS NULL"))
        }
        #expect(counts.0 == 12 * 200 * 2 && counts.1 == "ok" && counts.2 == 0)
    }
}
