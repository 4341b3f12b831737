/// Series colours that stay distinguishable for colour-blind readers and in greyscale print.
public enum Palette {
    /// Paul Tol's "muted" qualitative scheme, then a neutral grey as the tenth colour.
    static let colours = [
        "#CC6677", // rose
        "#332288", // indigo
        "#DDCC77", // sand
        "#117733", // green
        "#88CCEE", // cyan
        "#882255", // wine
        "#44AA99", // teal
        "#999933", // olive
        "#AA4499", // purple
        "#777777", // grey
    ]

    /// Dash patterns for the second, third, … pass through the colours: with them 20 or more series stay
    /// apart even though colours repeat.
    static let dashes = ["6 3", "2 2", "8 3 2 3", "1 3", "12 4"]

    /// Paul Tol's colour-blind-safe "muted" qualitative scheme (#CC6677 rose, #332288 indigo, #DDCC77 sand,
    /// #117733 green, #88CCEE cyan, #882255 wine, #44AA99 teal, #999933 olive, #AA4499 purple) then grey
    /// #777777; index wraps.
    public static func colour(_ index: Int) -> String {
        colours[wrapped(index, colours.count)]
    }

    /// nil for the first cycle through the colours; a stroke-dasharray ("6 3", "2 2", …) for later cycles, so
    /// 20 series stay distinguishable.
    public static func dash(_ index: Int) -> String? {
        let cycle = index >= 0 ? index / colours.count : 0
        return cycle == 0 ? nil : dashes[(cycle - 1) % dashes.count]
    }

    private static func wrapped(_ index: Int, _ count: Int) -> Int {
        ((index % count) + count) % count
    }
}
