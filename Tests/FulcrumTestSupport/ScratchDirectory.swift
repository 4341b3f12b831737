import Foundation

/// A fresh directory under /tmp with a short path, removed when released. Short, because Lua
/// abbreviates chunk names over 60 characters and tests compare `file:line:` messages exactly.
public final class ScratchDirectory: @unchecked Sendable {
    public let path: String

    public init() {
        var template = Array("/tmp/fuXXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` inside the directory and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ contents: String) -> String {
        let file = "\(path)/\(name)"
        let directory = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file, contents: Data(contents.utf8))
        return file
    }
}

/// The repository's root, found from this file's location (Tests/FulcrumTestSupport/…).
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
