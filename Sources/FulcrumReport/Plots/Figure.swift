/// A standalone SVG file of one or more panels, as a report links it.
public struct Figure: Sendable {
    /// Panels stacked top to bottom in one SVG document.
    public var panels: [any ChartPanel]
    public var width: Double

    public init(panels: [any ChartPanel], width: Double = 720) {
        self.panels = panels
        self.width = width
    }

    public init(_ panel: any ChartPanel, width: Double = 720) {
        self.init(panels: [panel], width: width)
    }

    /// A complete standalone SVG document (xmlns, viewBox, width/height, font-family sans-serif, white
    /// background).
    public var svg: String {
        let width = width.isFinite ? max(width, 200) : 720
        var body = ""
        var top = 0.0
        for panel in panels {
            let height = panel.height(forWidth: width)
            let safeHeight = height.isFinite ? max(height, 1) : 1
            body += panel.render(in: PlotFrame(x: 0, y: top, width: width, height: safeHeight))
            top += safeHeight
        }
        let height = max(top, 1)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svg: width)\" height=\"\(svg: height)\" "
            + "viewBox=\"0 0 \(svg: width) \(svg: height)\" font-family=\"sans-serif\" font-size=\"11\">"
            + "<rect width=\"\(svg: width)\" height=\"\(svg: height)\" fill=\"#FFFFFF\"/>" + body + "</svg>\n"
    }
}
