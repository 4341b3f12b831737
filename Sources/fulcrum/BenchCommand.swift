import ArgumentParser
import Foundation
import FulcrumCore

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

    func validate() throws {
        if let only, !Benchmark.workloads.contains(where: { $0.name == only }) {
            throw ValidationError("unknown workload '\(only)'; workloads: \(Benchmark.workloads.map(\.name).joined(separator: ", "))")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1") }
    }

    func run() throws {
        AllocatorTuning.reuseLargeBlocks()
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
                print(String(format: "%-14@ %8.2f %11.0f %9.1f %12.1f %13.0f", result.name as NSString, result.millisecondsPerStep,
                             result.samplesPerSecond, result.gflopsPerSecond, result.megaflopsPerStep, result.peakResidentMegabytes))
            }
        }
    }
}
