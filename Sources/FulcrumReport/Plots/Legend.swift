/// One legend entry: a swatch that looks like what it names, and the name.
struct LegendEntry {
    enum Swatch {
        /// A line sample, over a band and/or with a marker when the series draws those.
        case series(colour: String, dash: String?, band: Bool, marker: Bool, line: Bool)
        /// A filled box, for box-plot members.
        case box(colour: String)
    }

    let name: String
    let swatch: Swatch
}

extension LegendEntry {
    init(_ series: PlotSeries) {
        self.init(name: series.name, swatch: .series(
            colour: series.colour, dash: series.dash, band: series.style.drawsBand,
            marker: series.style == .pointsWithErrorBars, line: series.style.drawsLine))
    }
}

/// Legend entries in equal-width columns, as many per row as fit: 15 long policy names wrap into a
/// tidy grid under the plot instead of running off the panel or over the data.
struct Legend {
    static let fontSize = 11.0
    static let rowHeight = 16.0
    static let swatchWidth = 22.0
    static let columnGap = 18.0

    let entries: [LegendEntry]
    let width: Double
    let columnWidth: Double
    let columns: Int

    init(entries: [LegendEntry], width: Double) {
        self.entries = entries
        self.width = max(width, Self.swatchWidth + 20)
        let widest = entries.map { Self.swatchWidth + TextWidth.of($0.name, fontSize: Self.fontSize) }.max() ?? 0
        columnWidth = min(widest, self.width)
        columns = max(1, Int((self.width + Self.columnGap) / (columnWidth + Self.columnGap)))
    }

    var rows: Int { (entries.count + columns - 1) / columns }
    var height: Double { Double(rows) * Self.rowHeight }

    /// The legend with its top-left corner at (`x`, `y`).
    func render(x: Double, y: Double) -> String {
        guard !entries.isEmpty else { return "" }
        var svg = "<g class=\"legend\" font-size=\"\(svg: Self.fontSize)\" fill=\"#222\">"
        for (index, entry) in entries.enumerated() {
            let left = x + Double(index % columns) * (columnWidth + Self.columnGap)
            let middle = y + Double(index / columns) * Self.rowHeight + Self.rowHeight / 2
            let label = TextWidth.truncated(entry.name, toFit: columnWidth - Self.swatchWidth, fontSize: Self.fontSize)
            svg += "<g class=\"legend-entry\">"
            if label != entry.name { svg += "<title>\(xml: entry.name)</title>" }
            svg += Self.swatch(entry.swatch, x: left, middle: middle)
            svg += "<text x=\"\(svg: left + Self.swatchWidth)\" y=\"\(svg: middle)\" dy=\"0.35em\">\(xml: label)</text>"
            svg += "</g>"
        }
        return svg + "</g>"
    }

    private static func swatch(_ swatch: LegendEntry.Swatch, x: Double, middle: Double) -> String {
        let sampleWidth = swatchWidth - 6
        switch swatch {
        case let .series(colour, dash, band, marker, line):
            var svg = ""
            if band {
                svg += "<rect x=\"\(svg: x)\" y=\"\(svg: middle - 5)\" width=\"\(svg: sampleWidth)\" height=\"10\" "
                    + "fill=\"\(xml: colour)\" fill-opacity=\"0.2\"/>"
            }
            if line {
                let dashing = dash.map { " stroke-dasharray=\"\(xml: $0)\"" } ?? ""
                svg += "<line x1=\"\(svg: x)\" y1=\"\(svg: middle)\" x2=\"\(svg: x + sampleWidth)\" y2=\"\(svg: middle)\" "
                    + "stroke=\"\(xml: colour)\" stroke-width=\"2\"\(dashing)/>"
            }
            if marker {
                svg += "<circle cx=\"\(svg: x + sampleWidth / 2)\" cy=\"\(svg: middle)\" r=\"3\" fill=\"\(xml: colour)\"/>"
            }
            return svg
        case let .box(colour):
            return "<rect x=\"\(svg: x + 2)\" y=\"\(svg: middle - 5)\" width=\"\(svg: sampleWidth - 4)\" height=\"10\" "
                + "fill=\"\(xml: colour)\" fill-opacity=\"0.35\" stroke=\"\(xml: colour)\"/>"
        }
    }
}
