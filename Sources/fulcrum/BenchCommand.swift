import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua

/// `fulcrum bench`: one subcommand per thing timed — training steps (the default), policy calls,
/// a manifest's sweep.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps, policy calls or a sweep (`fulcrum bench steps` without a subcommand).",
        subcommands: [Steps.self, Policies.self, Sweep.self], defaultSubcommand: Steps.self)

    struct Output: ParsableArguments {
        @Flag(help: "Print one JSON object per line instead of a table.")
        var json = false

        func print<Value: Encodable>(json value: Value) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
    }

    struct Steps: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time training steps of the standard workloads (median ms/step after warm-up).",
            discussion: "Workloads: " + Benchmark.workloads.map { "\($0.name) — \($0.summary)" }.joined(separator: "; "))

        @Option(help: "OpenBLAS threads.")
        var threads = 1

        @Option(help: "Run only this workload (\(Benchmark.workloads.map(\.name).joined(separator: ", "))).")
        var only: String?

        @Option(help: "Timed steps per workload, after 20 warm-up steps.")
        var steps = 200

        @OptionGroup var output: Output

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
            if output.json {
                print(#"{"name":"sgemm-256x784x256","threads":\#(threads),"gflopsPerSecond":\#(String(format: "%.1f", sgemm))}"#)
            } else {
                print(String(format: "sgemm 256×784×256: %.1f GFLOP/s on %d thread(s)", sgemm, threads))
                print("workload        ms/step   samples/s   GFLOP/s   MFLOP/step   peak RSS MB")
            }
            for workload in Benchmark.workloads where only == nil || workload.name == only {
                let result = try Benchmark.run(workload, threads: threads, steps: steps)
                if output.json { try output.print(json: result); continue }
                print(result.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                      + String(format: " %8.2f %11.0f %9.1f %12.1f %13.0f", result.millisecondsPerStep, result.samplesPerSecond,
                               result.gflopsPerSecond, result.megaflopsPerStep, result.peakResidentMegabytes))
            }
        }
    }

    struct Policies: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time one call of each policy file (T = 4, median of 101 rounds).")

        @Argument(help: "Policy files, e.g. policies/*.lua.")
        var files: [String]

        @OptionGroup var output: Output

        func run() throws {
            BLASThreads.count = 1  // idle OpenBLAS workers would otherwise spin beside the policy calls
            if !output.json { print("policy          tasks   µs/call   best   needs") }
            for file in files {
                let result = try PolicyBenchmark.run(file: file)
                if output.json { try output.print(json: result); continue }
                let name = result.policy.padding(toLength: max(result.policy.count, 14), withPad: " ", startingAt: 0)
                print(String(format: "%@ %6d %9.2f %6.2f   ", name, result.tasks, result.microsecondsPerCall, result.bestMicrosecondsPerCall)
                      + result.needs.joined(separator: ", "))
            }
        }
    }

    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train all runs of a manifest with 1 job, with --jobs jobs, and as --jobs processes of 1 job sharing one store (fresh stores in /tmp); compare runs per hour.")

        @Argument(help: "The manifest, e.g. experiments/bench/sweep.yaml.")
        var manifest: String

        @Option(help: "The parallel job count (default: the number of cores).")
        var jobs = ProcessInfo.processInfo.activeProcessorCount

        @OptionGroup var output: Output

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        }

        func run() throws {
            AllocatorTuning.reuseLargeBlocks()
            var results = try SweepBenchmark.run(manifest: manifest, jobCounts: [1, jobs], scratch: NSTemporaryDirectory())
            let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
            if jobs > 1 {
                results.append(try SweepBenchmark.runProcesses(executable: executable, manifest: manifest, processes: jobs,
                                                               scratch: NSTemporaryDirectory()))
            }
            if output.json { return try results.forEach { try output.print(json: $0) } }
            print("processes × jobs   runs   seconds   runs/hour")
            for result in results {
                print(String(format: "%9d × %-4d %6d %9.2f %11.0f", result.processes, result.jobs, result.runs, result.seconds, result.runsPerHour))
            }
            let one = results[0]
            for many in results.dropFirst() {
                print(String(format: "speed-up of %d × %d over 1 × 1: %.2f×", many.processes, many.jobs, many.runsPerHour / one.runsPerHour))
            }
        }
    }
}
