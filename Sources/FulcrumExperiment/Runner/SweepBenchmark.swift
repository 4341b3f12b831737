import Foundation
import FulcrumCore

/// `fulcrum bench sweep MANIFEST`: trains all of a manifest's runs with each job count, each time
/// into a fresh store, and reports runs per hour — how well parallel runs use the cores.
public enum SweepBenchmark {
    public struct Result: Sendable, Codable {
        public let jobs: Int
        public let runs: Int
        public let seconds: Double
        public var runsPerHour: Double { Double(runs) / seconds * 3600 }
    }

    public static func run(manifest path: String, jobCounts: [Int], scratch directory: String) throws -> [Result] {
        let manifest = try Manifest.load(path)
        return try jobCounts.map { jobs in
            let storePath = "\(directory)/bench-sweep-\(jobs)-jobs.sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
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

    public struct BenchmarkError: Error, CustomStringConvertible {
        public let description: String
    }
}
