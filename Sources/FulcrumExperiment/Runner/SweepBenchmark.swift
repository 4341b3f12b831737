import Foundation
import FulcrumCore

/// `fulcrum bench sweep MANIFEST`: trains all of a manifest's runs with each job count, each time
/// into a fresh store, and reports runs per hour — how well parallel runs use the cores; then the
/// same sweep shared by several `fulcrum run --jobs 1` processes on one store (`RunLease`).
public enum SweepBenchmark {
    public struct Result: Sendable, Codable {
        public let jobs: Int
        /// Processes sharing the store, `jobs` each.
        public var processes = 1
        public let runs: Int
        public let seconds: Double
        public var runsPerHour: Double { Double(runs) / seconds * 3600 }
    }

    public static func run(manifest path: String, jobCounts: [Int], scratch directory: String) throws -> [Result] {
        let manifest = try Manifest.load(path)
        return try jobCounts.map { jobs in
            let storePath = freshStore(in: directory, "bench-sweep-\(jobs)-jobs")
            let runner = ExperimentRunner(manifest: manifest, store: try RunStore(path: storePath))
            let started = ContinuousClock.now
            let outcomes = try runner.run(RunSelection(force: true, jobs: jobs))
            let seconds = (ContinuousClock.now - started).seconds
            if let failed = outcomes.first(where: { $0.error != nil }) {
                throw BenchmarkError(description: "\(failed.run.label) failed: \(failed.error ?? "")")
            }
            return Result(jobs: jobs, runs: outcomes.count, seconds: seconds)
        }
    }

    /// `processes` copies of `executable run MANIFEST --jobs 1`, started together on one fresh store;
    /// timed until the last exits.
    public static func runProcesses(executable: String, manifest path: String, processes: Int, scratch directory: String) throws -> Result {
        let storePath = freshStore(in: directory, "bench-sweep-\(processes)-processes")
        let started = ContinuousClock.now
        let launched = try (0..<processes).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["run", path, "--store", storePath, "--jobs", "1"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in launched { process.waitUntilExit() }
        let seconds = (ContinuousClock.now - started).seconds
        if let failed = launched.first(where: { $0.terminationStatus != 0 }) {
            throw BenchmarkError(description: "fulcrum run \(path) --store \(storePath) exited with \(failed.terminationStatus)")
        }
        let finished = try RunStore(path: storePath).listRuns().filter { $0.run.status == .finished }.count
        return Result(jobs: 1, processes: processes, runs: finished, seconds: seconds)
    }

    private static func freshStore(in directory: String, _ name: String) -> String {
        let storePath = "\(directory)/\(name).sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        return storePath
    }

    public struct BenchmarkError: Error, CustomStringConvertible {
        public let description: String
    }
}
