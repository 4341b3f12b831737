/// Series of (x, y) points, e.g. KPI over training steps: lines, seed bands or error bars, with nice axes
/// and a legend under the plot.
public struct LineChart: ChartPanel {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    /// nil: fitted to the data (bands and error bars included) and widened to whole tick steps.
    public var yRange: ClosedRange<Double>?
    /// A dashed horizontal reference line, e.g. 1.0 for loss ratios.
    public var referenceY: Double?

    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries],
                yRange: ClosedRange<Double>? = nil, referenceY: Double? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
        self.referenceY = referenceY
    }

    public func height(forWidth width: Double) -> Double {
        CartesianLayout.height(forWidth: width, xAxisBand: xAxisBand, legendHeight: legend(forWidth: width).height)
    }

    public func render(in frame: PlotFrame) -> String {
        let legend = legend(forWidth: frame.width)
        let (xDomain, yDomain, yTicks) = axes
        let layout = CartesianLayout(frame: frame, yTickLabels: yTicks.labels, hasYTitle: !yLabel.isEmpty,
                                     xAxisBand: xAxisBand, legendHeight: legend.height)
        let plot = layout.plot
        let x = LinearScale(domain: xDomain, start: plot.x, end: plot.maxX)
        let y = LinearScale(domain: yDomain, start: plot.maxY, end: plot.y)
        let xTicks = NiceTicks(covering: xDomain, targetCount: max(3, Int(plot.width / 120)))
        let clipID = frame.elementID("clip")

        var svg = "<g class=\"line-chart\">" + Axes.title(title, in: frame)
        svg += Axes.yAxis(yTicks, scale: y, plot: plot, title: yLabel, titleX: layout.yTitleX)
        svg += Axes.xAxis(xTicks, scale: x, plot: plot, title: xLabel)
        svg += Axes.reference(referenceY, scale: y, plot: plot)
        svg += "<defs>" + Axes.clipPath(id: clipID, plot: plot) + "</defs><g clip-path=\"url(#\(xml: clipID))\">"
        for series in series {
            svg += SeriesDrawing(series: series, x: x, y: y).svg
        }
        svg += "</g>"
        if !hasFinitePoints { svg += Axes.noData(plot) }
        return svg + legend.render(x: layout.legendX, y: layout.legendY) + "</g>"
    }

    private var xAxisBand: Double { xLabel.isEmpty ? 22 : 38 }

    private func legend(forWidth width: Double) -> Legend {
        Legend(entries: series.map(LegendEntry.init), width: CartesianLayout.legendWidth(forWidth: width))
    }

    private var hasFinitePoints: Bool {
        series.contains { $0.points.contains(where: \.isFinite) }
    }

    /// The x domain spans the data exactly, so lines reach both edges (with a margin for error bars); the
    /// y domain is `yRange`, or the data and reference line widened to whole ticks. No data gives 0…1.
    private var axes: (x: ClosedRange<Double>, y: ClosedRange<Double>, yTicks: NiceTicks) {
        var xs: [Double] = []
        var ys: [Double] = []
        for series in series {
            for point in series.points where point.isFinite {
                xs.append(point.x)
                ys.append(point.y)
                if series.style.drawsIntervals, let interval = point.interval {
                    ys += [interval.low, interval.high]
                }
            }
        }
        var xDomain = NiceTicks.widenedIfFlat(xs.isEmpty ? 0...1 : xs.min()!...xs.max()!)
        if series.contains(where: { $0.style.drawsErrorBars }) {
            // Markers and error bars at the first and last x would be cut in half by the plot's edge.
            let margin = (xDomain.upperBound - xDomain.lowerBound) * 0.04
            xDomain = (xDomain.lowerBound - margin)...(xDomain.upperBound + margin)
        }
        if let yRange, yRange.lowerBound.isFinite, yRange.upperBound.isFinite {
            let yDomain = NiceTicks.widenedIfFlat(yRange)
            return (xDomain, yDomain, NiceTicks(covering: yDomain))
        }
        if let referenceY, referenceY.isFinite, !ys.isEmpty { ys.append(referenceY) }
        let yTicks = NiceTicks(fitting: ys.isEmpty ? 0...1 : ys.min()!...ys.max()!)
        return (xDomain, yTicks.domain, yTicks)
    }
}

/// One series' SVG: band under line under error bars and markers, grouped as `class="series"`.
private struct SeriesDrawing {
    let series: PlotSeries
    let x: LinearScale
    let y: LinearScale

    var svg: String {
        let style = series.style
        let dashing = series.dash.map { " stroke-dasharray=\"\(xml: $0)\"" } ?? ""
        var svg = "<g class=\"series\" data-series=\"\(xml: series.name)\" stroke=\"\(xml: series.colour)\" "
            + "fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\"\(dashing)>"
        if style.drawsBand { svg += band }
        if style.drawsLine { svg += line }
        if style.drawsErrorBars { svg += errorBars }
        if style == .pointsWithErrorBars { svg += markers(radius: 3, of: series.points.filter(\.isFinite)) }
        return svg + "</g>"
    }

    /// Runs of consecutive finite points; a non-finite point ends a run, leaving a gap.
    private func runs<T>(_ value: (PlotPoint) -> T?) -> [[T]] {
        var runs: [[T]] = [[]]
        for point in series.points {
            if let value = value(point) { runs[runs.count - 1].append(value) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        return runs.filter { !$0.isEmpty }
    }

    /// The line, broken at non-finite points; a point with no finite neighbour gets a dot, since a
    /// one-point path draws nothing.
    private var line: String {
        let runs = runs { $0.isFinite ? $0 : nil }
        var path = ""
        for run in runs where run.count > 1 {
            path += run.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(svg: x($0.element.x)) \(svg: y($0.element.y))" }.joined()
        }
        let isolated = runs.filter { $0.count == 1 }.map { $0[0] }
        return (path.isEmpty ? "" : "<path d=\"\(path)\"/>") + markers(radius: 2.5, of: isolated)
    }

    /// The translucent area between each point's low and high, broken where a point has none.
    private var band: String {
        let runs = runs { point in point.interval.map { (x: point.x, low: $0.low, high: $0.high) } }
        var path = ""
        for run in runs {
            let upper = run.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(svg: x($0.element.x)) \(svg: y($0.element.high))" }
            let lower = run.reversed().map { "L\(svg: x($0.x)) \(svg: y($0.low))" }
            path += upper.joined() + lower.joined() + "Z"
        }
        guard !path.isEmpty else { return "" }
        return "<path class=\"band\" d=\"\(path)\" fill=\"\(xml: series.colour)\" fill-opacity=\"0.2\" stroke=\"none\"/>"
    }

    /// A vertical bar from low to high at each point, with short caps.
    private var errorBars: String {
        let cap = 3.0
        var path = ""
        for point in series.points {
            guard let interval = point.interval else { continue }
            let (px, low, high) = (x(point.x), y(interval.low), y(interval.high))
            path += "M\(svg: px) \(svg: low)V\(svg: high)M\(svg: px - cap) \(svg: low)H\(svg: px + cap)"
                + "M\(svg: px - cap) \(svg: high)H\(svg: px + cap)"
        }
        guard !path.isEmpty else { return "" }
        return "<path class=\"error-bars\" d=\"\(path)\" stroke-width=\"1.2\" stroke-dasharray=\"none\"/>"
    }

    private func markers(radius: Double, of points: [PlotPoint]) -> String {
        points.map {
            "<circle cx=\"\(svg: x($0.x))\" cy=\"\(svg: y($0.y))\" r=\"\(svg: radius)\" fill=\"\(xml: series.colour)\" stroke=\"none\"/>"
        }.joined()
    }
}
