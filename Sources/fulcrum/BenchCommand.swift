import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps of the standard workloads (median ms/step after warm-up).",
        discussion: "Workloads: " + Benchmark.workloads.map { "\($0.name) — \($0.summary)" }.joined(separator: "; "))

    @Option(help: "OpenBLAS threads.")
    var threads = 1

    @Option(help: "Run only this workload (\(Benchmark.workloads.map(\.name).joined(separator: ", "))).")
    var only: String?

    @Option(help: "Timed steps per workload, after 20 warm-up steps.")
    var steps = 200

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    @Option(help: "Instead of training steps, time one call of each of these policy files (T = 4).")
    var policies: [String] = []

    @Option(help: "Instead of training steps, train all runs of this manifest with 1 job and with --jobs jobs (fresh stores in /tmp) and compare runs per hour.")
    var sweep: String?

    @Option(help: "With --sweep: the parallel job count (default: the number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if !policies.isEmpty, only != nil { throw ValidationError("--policies and --only do not go together") }
        if let only, !Benchmark.workloads.contains(where: { $0.name == only }) {
            throw ValidationError("unknown workload '\(only)'; workloads: \(Benchmark.workloads.map(\.name).joined(separator: ", "))")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1") }
    }

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
        guard policies.isEmpty else { return try benchmarkPolicies() }
        if let sweep { return try benchmarkSweep(sweep) }
        let sgemm = Benchmark.sgemm(threads: threads)
        if json {
            print(#"{"name":"sgemm-256x784x256","threads":\#(threads),"gflopsPerSecond":\#(String(format: "%.1f", sgemm))}"#)
        } else {
            print(String(format: "sgemm 256×784×256: %.1f GFLOP/s on %d thread(s)", sgemm, threads))
            print("workload        ms/step   samples/s   GFLOP/s   MFLOP/step   peak RSS MB")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for workload in Benchmark.workloads where only == nil || workload.name == only {
            let result = try Benchmark.run(workload, threads: threads, steps: steps)
            if json {
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(result.name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " %8.2f %11.0f %9.1f %12.1f %13.0f", result.millisecondsPerStep,
                             result.samplesPerSecond, result.gflopsPerSecond, result.megaflopsPerStep, result.peakResidentMegabytes))
            }
        }
    }

    private func benchmarkSweep(_ manifest: String) throws {
        let results = try SweepBenchmark.run(manifest: manifest, jobCounts: [1, jobs], scratch: NSTemporaryDirectory())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for result in results { print(String(decoding: try encoder.encode(result), as: UTF8.self)) }
            return
        }
        print("jobs   runs   seconds   runs/hour")
        for result in results {
            print(String(format: "%4d %6d %9.2f %11.0f", result.jobs, result.runs, result.seconds, result.runsPerHour))
        }
        if let one = results.first, let many = results.last, results.count == 2 {
            print(String(format: "speed-up with %d jobs: %.2f×", many.jobs, many.runsPerHour / one.runsPerHour))
        }
    }

    private func benchmarkPolicies() throws {
        BLASThreads.count = 1  // idle OpenBLAS workers would otherwise spin beside the policy calls
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if !json { print("policy          tasks   µs/call   best   needs") }
        for file in policies {
            let result = try PolicyBenchmark.run(file: file)
            if json {
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                let name = result.policy.padding(toLength: max(result.policy.count, 14), withPad: " ", startingAt: 0)
                print(String(format: "%@ %6d %9.2f %6.2f   ", name, result.tasks, result.microsecondsPerCall, result.bestMicrosecondsPerCall) + result.needs.joined(separator: ", "))
            }
        }
    }
}
