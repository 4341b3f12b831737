import Foundation

/// A scratch directory with a short path for manifests and policy files.
final class ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/fxXXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ contents: String) -> String {
        let file = "\(path)/\(name)"
        FileManager.default.createFile(atPath: file, contents: Data(contents.utf8))
        return file
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(path)/\(name)") }
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A small valid manifest; `policies` is the YAML of the policies section's entries.
func tinyManifest(name: String = "tiny", steps: Int = 40, seeds: String = "[1, 2]", policies: String) -> String {
    """
    name: \(name)
    data:
      dataset: synthetic
      input_dim: 6
      train_size: 128
      val_size: 64
    tasks:
      - name: coarse
        type: classification
        classes: 3
      - name: level
        type: regression
        outputs: 1
        tolerance: 0.3
    model:
      architecture: hard_sharing
      trunk: [8]
    train:
      steps: \(steps)
      batch_size: 16
      optimizer: adam
      lr: 0.01
      eval_every: 20
    seeds: \(seeds)
    policies:
    \(policies)
    """
}
