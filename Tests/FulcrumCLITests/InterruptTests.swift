import Foundation
import FulcrumTestSupport
import GRDB
import Testing

@Suite("Stopping fulcrum run: Ctrl-C and kill -9", .serialized)
struct InterruptTests {
    /// Starts `fulcrum run experiments/demo.yaml --jobs 2` in `directory` without waiting for it.
    func startSweep(in directory: String) throws -> (Process, output: Pipe, error: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: fulcrumExecutable)
        process.arguments = ["run", "experiments/demo.yaml", "--jobs", "2"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, output, error)
    }

    @Test func ctrlCStopsTheRunsInFlightCleanlyAndTheNextRunTrainsThem() throws {
        let long = demoManifest.replacingOccurrences(of: "steps: 60", with: "steps: 1000000")
        let scratch = try projectFolder(manifest: long)
        let (process, output, error) = try startSweep(in: scratch.path)

        // Wait until both workers have started a run, then press Ctrl-C.
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while text.components(separatedBy: "start  ").count < 3, Date() < deadline {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(text.components(separatedBy: "start  ").count == 3, "output so far: \(text)")
        process.interrupt()
        let stopBy = Date().addingTimeInterval(60)
        while process.isRunning, Date() < stopBy { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        #expect(process.terminationStatus == 130, "stdout: \(text)\nstderr: \(errors)")
        #expect(errors.contains("stopping: the runs in flight stop after their current step (Ctrl-C again quits now)"))
        #expect(text.components(separatedBy: "\n").filter { $0.contains("INTERRUPTED") }.count == 2)
        #expect(text.contains("finished 0, failed 0, diverged 0, interrupted 2"))

        // Nothing was lost or half-counted: every run is still to train.
        let plan = try fulcrum(["run", "experiments/demo.yaml", "--dry-run"], in: scratch.path)
        #expect(plan.output.hasSuffix("6 runs selected of 6 (3 policies × 2 seeds), 6 to train\n"))
    }

    @Test func killNineLosesOnlyTheRunsInFlightAndTheNextRunRetrainsThemOnce() throws {
        let manifest = demoManifest.replacingOccurrences(of: "steps: 60", with: "steps: 3000")
        let scratch = try projectFolder(manifest: manifest)
        let (process, output, _) = try startSweep(in: scratch.path)

        // Kill once the first run has finished and the next two are in flight with steps stored.
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while !text.contains("[1/6] done"), process.isRunning, Date() < deadline {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        Thread.sleep(forTimeInterval: 0.2)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "output: \(text)")

        let store = "\(scratch.path)/runs/fulcrum.sqlite"
        let before = try DatabaseQueue(path: store).read { db in
            try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM run GROUP BY status").map { "\($0["status"] as String): \($0["n"] as Int)" }
        }
        #expect(before.contains { $0.hasPrefix("finished: ") } && before.contains { $0.hasPrefix("running: ") }, "\(before)")

        let resumed = try fulcrum(["run", "experiments/demo.yaml", "--jobs", "2"], in: scratch.path)
        #expect(resumed.status == 0, "stderr: \(resumed.error)")
        let finishedBefore = before.compactMap { $0.hasPrefix("finished: ") ? Int($0.dropFirst(10)) : nil }.first ?? 0
        #expect(resumed.output.contains("skipped \(finishedBefore)"))
        let after = try DatabaseQueue(path: store).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run WHERE status = 'finished'"),
             try Int.fetchAll(db, sql: "SELECT COUNT(*) FROM step GROUP BY run_id"))
        }
        #expect(after.0 == 6)
        #expect(after.1 == Array(repeating: 3000 * 3, count: 6), "every run's steps once: none lost, none duplicated")
    }
}
