import Foundation

/// Durations as people read them in a log: "4.2 s", "12 s", "1 min 3 s", "2 h 5 min".
public enum DurationText {
    /// A measured duration. Tenths of a second only below 10 s, where they still mean something;
    /// the unit grows with the value so a long sweep reads "2 h 5 min", not "7500 s".
    public static func describe(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let seconds = max(seconds, 0)
        // Decide on the rounded value, so 9.96 s reads "10 s" rather than "10.0 s" and 59.7 s "1 min".
        if seconds < 9.95 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return minutesAndSeconds(whole) }
        return hoursAndMinutes(Int((seconds / 60).rounded()))
    }

    /// A remaining-time estimate, "–" when unknown. Coarser than `describe`: an estimate redrawn five
    /// times a second should not flicker in digits it cannot vouch for — whole seconds below a minute,
    /// 5 s steps below 10 minutes, whole minutes above.
    public static func estimate(_ seconds: Double?) -> String {
        guard let estimated = seconds, estimated.isFinite else { return "–" }
        let seconds = max(estimated, 0)
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 600 { return minutesAndSeconds(Int((seconds / 5).rounded()) * 5) }
        let minutes = Int((seconds / 60).rounded())
        return minutes < 60 ? "\(minutes) min" : hoursAndMinutes(minutes)
    }

    private static func minutesAndSeconds(_ seconds: Int) -> String {
        seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s"
    }

    private static func hoursAndMinutes(_ minutes: Int) -> String {
        minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }
}
