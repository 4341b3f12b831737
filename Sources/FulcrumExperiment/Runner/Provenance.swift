import Foundation

/// Where runs were trained: the git commit of the working tree (with "+dirty" when it has
/// uncommitted changes) and the machine, recorded with every run.
struct Provenance: Sendable {
    let gitCommit: String?
    let machine: String

    static func current() -> Provenance {
        var commit = git(["rev-parse", "HEAD"])
        if commit != nil, let status = git(["status", "--porcelain", "--untracked-files=no"]), !status.isEmpty { commit! += "+dirty" }
        let info = ProcessInfo.processInfo
        return Provenance(gitCommit: commit,
                          machine: "\(info.hostName), \(info.activeProcessorCount) cores, \(info.physicalMemory >> 30) GiB, \(info.operatingSystemVersionString)")
    }

    /// The trimmed output of `git ARGS` in the working directory, or nil (no git, not a repository).
    private static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
