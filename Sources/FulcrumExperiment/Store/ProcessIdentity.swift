import Foundation

/// A process as another process can recognise it later: host, pid and, on Linux, its start time
/// (`/proc/PID/stat`, field 22), so a pid the system has reused for another program does not
/// pass for the process that took a lease.
public struct ProcessIdentity: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let pid: Int32
    /// Clock ticks after boot at which the process started; nil where `/proc` is not available.
    public let startTicks: Int64?

    public init(host: String, pid: Int32, startTicks: Int64?) {
        self.host = host
        self.pid = pid
        self.startTicks = startTicks
    }

    public static let current = ProcessIdentity(host: hostName(), pid: getpid(), startTicks: startTicks(of: getpid()))

    public var description: String { "\(host) pid \(pid)" }

    /// Whether the process is known to be gone: it ran on this host and its pid now names no
    /// process, a zombie, or a process started at another time. A process on another host is
    /// never known to be gone: only its heartbeat tells.
    public var isGoneFromThisHost: Bool {
        guard host == Self.current.host else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let stat = Self.stat(of: pid) else { return startTicks != nil }  // /proc had it when the lease was taken
        if stat.state == "Z" || stat.state == "X" { return true }
        if let startTicks, stat.startTicks != startTicks { return true }
        return false
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func startTicks(of pid: Int32) -> Int64? { stat(of: pid)?.startTicks }

    /// State and start time from `/proc/PID/stat`. The command name (field 2) may hold spaces and
    /// parentheses, so the fields are counted after its last ')'.
    private static func stat(of pid: Int32) -> (state: Character, startTicks: Int64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, let state = fields[0].first, let ticks = Int64(fields[19]) else { return nil }
        return (state, ticks)
    }
}
