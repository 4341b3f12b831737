import Foundation
import FulcrumCore
import FulcrumLua

/// A scratch directory with a short path, so Lua's chunk names (at most 60 characters) are never
/// abbreviated and messages can be compared exactly.
final class PolicyDirectory {
    let path: String

    init() {
        var template = Array("/tmp/fqXXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `source` as `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ source: String) -> String {
        let file = "\(path)/\(name)"
        FileManager.default.createFile(atPath: file, contents: Data(source.utf8))
        return file
    }
}

/// The repository's `policies/` folder, found from this file's location.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
func shippedPolicy(_ name: String) -> String { "\(repositoryRoot)/policies/\(name).lua" }

func context(tasks: [String], stepsPerEpoch: Int = 100, seed: UInt64 = 1) -> PolicyContext {
    PolicyContext(tasks: tasks, taskKinds: tasks.map { _ in "classification" }, totalSteps: 1000,
                  stepsPerEpoch: stepsPerEpoch, seed: seed)
}

func signals(step: Int, loss: [Double], kpi: [Double]? = nil) -> StepSignals {
    StepSignals(tasks: loss.indices.map { "task\($0 + 1)" }, step: step, epoch: 1, progress: 0, learningRate: 0.01,
                loss: loss, initialLoss: loss, weights: loss.map { _ in 1 }, kpi: kpi)
}
