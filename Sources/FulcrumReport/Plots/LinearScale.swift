/// Maps a data interval onto an interval of SVG coordinates (which may run backwards, as y does).
struct LinearScale {
    let domain: ClosedRange<Double>
    let start: Double
    let end: Double

    /// The coordinate of `value`. A flat domain maps everything to the middle instead of dividing by zero.
    func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, span.isFinite else { return (start + end) / 2 }
        return start + (value - domain.lowerBound) / span * (end - start)
    }
}
