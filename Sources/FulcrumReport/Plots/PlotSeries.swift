/// One data point of a line chart; `low`/`high` bound its band or error bar (e.g. min/max over seeds).
public struct PlotPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var low: Double?
    public var high: Double?

    public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
        self.x = x
        self.y = y
        self.low = low
        self.high = high
    }

    /// Whether the point can be drawn; non-finite points leave a gap in the line.
    var isFinite: Bool { x.isFinite && y.isFinite }

    /// The finite spread around the point, if it has one.
    var interval: (low: Double, high: Double)? {
        guard x.isFinite, let low, let high, low.isFinite, high.isFinite else { return nil }
        return (min(low, high), max(low, high))
    }
}

/// A named sequence of points drawn in one colour, e.g. one policy's mean KPI over steps.
public struct PlotSeries: Sendable {
    public enum Style: Sendable {
        /// The points joined by a line.
        case line
        /// A line over a translucent band from each point's `low` to its `high`.
        case lineWithBand
        /// Markers with vertical error bars, no line: for values of a category or an option.
        case pointsWithErrorBars
        /// A line with error bars at each point.
        case lineWithErrorBars
    }

    public var name: String
    public var colour: String
    public var dash: String?
    public var points: [PlotPoint]
    public var style: Style

    public init(name: String, colour: String, dash: String? = nil, points: [PlotPoint], style: Style = .line) {
        self.name = name
        self.colour = colour
        self.dash = dash
        self.points = points
        self.style = style
    }
}

extension PlotSeries.Style {
    var drawsLine: Bool { self != .pointsWithErrorBars }
    var drawsBand: Bool { self == .lineWithBand }
    var drawsErrorBars: Bool { self == .pointsWithErrorBars || self == .lineWithErrorBars }
    /// Whether `low`/`high` are drawn, and so must fit inside the axis.
    var drawsIntervals: Bool { drawsBand || drawsErrorBars }
}
