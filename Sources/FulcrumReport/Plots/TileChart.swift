/// The DTP paper's Fig. 3: one row per task, one column per time bin, darker = higher value.
public struct TileChart: ChartPanel {
    public var title: String
    public var rowLabels: [String]
    public var xLabel: String
    /// The x value (e.g. training step) where each column begins, ascending.
    public var columnStarts: [Double]
    /// The x value where the last column ends.
    public var columnEnd: Double
    /// `[row][column]`, drawn on a white→dark single-hue scale over [0, max]; nan (or a missing entry) is
    /// drawn hatched as "no data".
    public var values: [[Double]]
    /// The colour scale's caption, e.g. "share of the weight".
    public var scaleLabel: String

    public init(title: String, rowLabels: [String], xLabel: String, columnStarts: [Double], columnEnd: Double,
                values: [[Double]], scaleLabel: String) {
        self.title = title
        self.rowLabels = rowLabels
        self.xLabel = xLabel
        self.columnStarts = columnStarts
        self.columnEnd = columnEnd
        self.values = values
        self.scaleLabel = scaleLabel
    }

    static let rowHeight = 22.0
    static let rowLabelFontSize = 11.0

    /// Each tile reaches this far into the next, so anti-aliasing leaves no white seams between them.
    static let seamOverlap = 0.4

    public func height(forWidth width: Double) -> Double {
        CartesianLayout.titleBand + Double(max(rowLabels.count, 1)) * Self.rowHeight + belowTiles
    }

    public func render(in frame: PlotFrame) -> String {
        let labelWidth = min(rowLabels.map { TextWidth.of($0, fontSize: Self.rowLabelFontSize) }.max() ?? 0, frame.width * 0.3)
        let left = frame.x + CartesianLayout.padding + labelWidth + 8
        let top = frame.y + CartesianLayout.titleBand
        let plot = PlotFrame(x: left, y: top, width: max(frame.maxX - CartesianLayout.rightMargin - left, 20),
                             height: max(frame.maxY - belowTiles - top, 20))
        let rowHeight = plot.height / Double(max(rowLabels.count, 1))
        let domain = xDomain
        let x = LinearScale(domain: domain, start: plot.x, end: plot.maxX)
        let scale = SequentialScale(values: values)
        let hatchID = frame.elementID("no-data")

        var svg = "<g class=\"tile-chart\">" + Axes.title(title, in: frame)
        svg += "<defs><pattern id=\"\(xml: hatchID)\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
            + "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#EEEEEE\"/>"
            + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#BBBBBB\" stroke-width=\"2\"/></pattern></defs>"
        svg += "<g shape-rendering=\"crispEdges\">"
        for (row, rowLabel) in rowLabels.enumerated() {
            let rowTop = plot.y + Double(row) * rowHeight
            for (column, start) in columnStarts.enumerated() {
                let end = column + 1 < columnStarts.count ? columnStarts[column + 1] : columnEnd
                guard start.isFinite, end.isFinite, end > start else { continue }
                let value = self.value(row, column)
                let fill = value.isFinite ? scale.colour(value) : "url(#\(SVGText.escaped(hatchID)))"
                let shown = value.isFinite ? SVGText.significant(value) : "no data"
                svg += "<rect class=\"tile\" x=\"\(svg: x(start))\" y=\"\(svg: rowTop + 0.5)\" "
                    + "width=\"\(svg: x(end) - x(start) + Self.seamOverlap)\" height=\"\(svg: max(rowHeight - 1, 1))\" fill=\"\(fill)\">"
                    + "<title>\(xml: rowLabel), from \(SVGText.significant(start, digits: 6)): \(shown)</title></rect>"
            }
        }
        svg += "</g><g class=\"row-labels\" font-size=\"\(svg: Self.rowLabelFontSize)\" fill=\"#222\" text-anchor=\"end\">"
        for (row, rowLabel) in rowLabels.enumerated() {
            let label = TextWidth.truncated(rowLabel, toFit: labelWidth, fontSize: Self.rowLabelFontSize)
            svg += "<text x=\"\(svg: plot.x - 6)\" y=\"\(svg: plot.y + (Double(row) + 0.5) * rowHeight)\" dy=\"0.35em\">\(xml: label)</text>"
        }
        svg += "</g>"
        let xTicks = NiceTicks(covering: domain, targetCount: max(3, Int(plot.width / 120)))
        svg += Axes.xAxis(xTicks, scale: x, plot: plot, title: xLabel, grid: false)
        if !values.joined().contains(where: \.isFinite) { svg += Axes.noData(plot) }
        let hasMissing = rowLabels.indices.contains { row in columnStarts.indices.contains { !value(row, $0).isFinite } }
        svg += scale.render(x: plot.x, y: plot.maxY + xAxisBand + 10, caption: scaleLabel, width: plot.width,
                            gradientID: frame.elementID("scale"), hatchID: hasMissing ? hatchID : nil)
        return svg + "</g>"
    }

    private var xAxisBand: Double { xLabel.isEmpty ? 22 : 38 }

    /// Everything under the tiles: x axis, gap, colour scale, padding.
    private var belowTiles: Double { xAxisBand + 10 + SequentialScale.height + CartesianLayout.padding }

    private func value(_ row: Int, _ column: Int) -> Double {
        guard row < values.count, column < values[row].count else { return .nan }
        return values[row][column]
    }

    /// From the first column's start to the end of the last; 0…1 without columns.
    private var xDomain: ClosedRange<Double> {
        let edges = (columnStarts + [columnEnd]).filter(\.isFinite)
        guard let low = edges.min(), let high = edges.max() else { return 0...1 }
        return NiceTicks.widenedIfFlat(low...high)
    }
}
