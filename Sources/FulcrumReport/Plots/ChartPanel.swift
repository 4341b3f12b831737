/// A rectangle in SVG user units.
public struct PlotFrame: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }
}

/// One chart in a figure. A panel sizes itself to the figure's width, so panels stacked in a `Figure` share
/// one width and each takes the height it needs.
public protocol ChartPanel: Sendable {
    /// Height this panel wants at the given width (legend included).
    func height(forWidth width: Double) -> Double
    /// SVG elements drawing the panel inside `frame` (x, y, width, height in SVG user units).
    func render(in frame: PlotFrame) -> String
}

extension PlotFrame {
    /// A document-unique id for a `<clipPath>` or `<pattern>` of the panel drawn in this frame: panels of
    /// one figure never share a frame, and the same frame always gives the same id.
    func elementID(_ kind: String) -> String {
        "\(kind)-\(svg: x)-\(svg: y)"
    }
}
