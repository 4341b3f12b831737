import FulcrumCore
/// The DTP paper's Fig. 4 for a `model.task_order` sweep: per task, a box of the KPI ratio at each
/// position of the hierarchy (the numbers of `TaskPositionTable`).
extension FigureSection {
    var positionFigures: [ReportFigure] {
        let table = TaskPositionSection(comparison: comparison).table
        guard !table.isEmpty else { return [] }
        let positions = table.taskNames.indices
        let members = positions.map { (name: "position \($0 + 1)", colour: Self.positionColour($0, of: positions.count)) }
        let boxes = table.ratios.map { byPosition in byPosition.map { BoxSummary(values: $0) } }
        let title = "Final \(comparison.comparisonSplit == .test ? "test" : "validation") KPI by position, relative to position 1"
        let chart = BoxPlotChart(title: title, yLabel: "KPI / mean KPI at position 1", categories: table.taskNames,
                                 members: members, boxes: boxes, referenceY: 1)
        return [ReportFigure(kind: .positions, fileName: "positions-by-task.svg", title: title, svg: Figure(chart).svg)]
    }

    /// Positions are ordered, so a sequential scale (light to dark blue, readable without colour
    /// vision) rather than the policies' qualitative palette.
    static func positionColour(_ position: Int, of count: Int) -> String {
        let light = (r: 0xBB, g: 0xCC, b: 0xEE), dark = (r: 0x22, g: 0x22, b: 0x55)
        let t = count > 1 ? Double(position) / Double(count - 1) : 1
        func mix(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return "#" + [mix(light.r, dark.r), mix(light.g, dark.g), mix(light.b, dark.b)].map { hex($0) }.joined()
    }

    private static func hex(_ value: Int) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[value / 16], digits[value % 16]])
    }
}
