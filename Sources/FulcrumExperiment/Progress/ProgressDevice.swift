import Foundation
import FulcrumCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real world the progress displays talk to — standard output, a monotonic clock, the
/// terminal's size — kept apart so tests inject a string sink, a fake clock and a fixed size.
public enum ProgressDevice {
    /// Writes `text` as is and flushes, through `print` so it stays in order with the CLI's own
    /// `print`s on the same buffered stream.
    public static let standardOutput: @Sendable (String) -> Void = { text in
        print(text, terminator: "")
        fflush(nil)
    }

    /// Seconds since the first call, from a clock that never jumps back (unlike the wall clock).
    public static func monotonicClock() -> @Sendable () -> Double {
        let origin = ContinuousClock.now
        return { (ContinuousClock.now - origin).seconds }
    }

    /// Standard output's size in character cells; 80 × 24 when it is not a terminal or will not say.
    public static func standardOutputSize() -> TerminalSize {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return TerminalSize() }
        return TerminalSize(columns: Int(size.ws_col), rows: size.ws_row > 0 ? Int(size.ws_row) : 24)
    }
}

public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int = 80, rows: Int = 24) {
        self.columns = columns
        self.rows = rows
    }
}

/// Whether standard output is a terminal (not a pipe or a file): where a live display makes sense.
public var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

/// The display `fulcrum run` shows: a live block on a terminal, plain log lines anywhere else
/// (pipes, files, CI), where escape codes would be noise.
public func makeProgressDisplay(interactive: Bool = standardOutputIsTerminal) -> any SweepObserver {
    interactive ? TerminalProgress() : LogLineProgress()
}
