import Foundation
import FulcrumTestSupport
import Testing

@Suite("Ctrl-C during fulcrum run", .serialized)
struct InterruptTests {
    @Test func ctrlCStopsTheRunsInFlightCleanlyAndTheNextRunTrainsThem() throws {
        let long = demoManifest.replacingOccurrences(of: "steps: 60", with: "steps: 1000000")
        let scratch = try projectFolder(manifest: long)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: fulcrumExecutable)
        process.arguments = ["run", "experiments/demo.yaml", "--jobs", "2"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()

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
}
