import Foundation
import FulcrumCore

/// Where runs were trained: the git commit of the working tree (with "+dirty" when it has
/// uncommitted changes) and the machine — host, CPU model, cores, memory, system, and the OpenBLAS
/// kernels and threads the products ran on (numbers are bit-identical only on the same kernels) —
/// recorded with every run.
struct Provenance: Sendable {
    let gitCommit: String?
    let machine: String

    static func current(blasThreads: Int) -> Provenance {
        var commit = git(["rev-parse", "HEAD"])
        if commit != nil, let status = git(["status", "--porcelain", "--untracked-files=no"]), !status.isEmpty { commit! += "+dirty" }
        let info = ProcessInfo.processInfo
        let cpu = cpuModel().map { "\($0), " } ?? ""
        let blas = "\(BLASThreads.version) core \(BLASThreads.coreName), \(blasThreads) thread\(blasThreads == 1 ? "" : "s")"
        return Provenance(gitCommit: commit,
                          machine: "\(info.hostName), \(cpu)\(info.activeProcessorCount) cores, \(info.physicalMemory >> 30) GiB, "
                              + "\(info.operatingSystemVersionString), \(blas)")
    }

    /// The CPU's model name from /proc/cpuinfo (Linux), or nil.
    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
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
