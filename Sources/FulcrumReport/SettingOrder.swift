import FulcrumCore

/// The order of sweep-point settings in a report: numbers by value, strings alphabetically (task
/// names in the experiment's task order), lists element by element; a missing setting first.
enum SettingOrder {
    /// −1, 0 or 1 as `a` comes before, with or after `b`.
    static func compare(_ a: SettingValue?, _ b: SettingValue?, taskOrder: [String] = []) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (.number(x)?, .number(y)?): return x < y ? -1 : x > y ? 1 : 0
        case let (.boolean(x)?, .boolean(y)?): return x == y ? 0 : (!x ? -1 : 1)
        case let (.string(x)?, .string(y)?):
            let (i, j) = (taskOrder.firstIndex(of: x) ?? .max, taskOrder.firstIndex(of: y) ?? .max)
            if i != j { return i < j ? -1 : 1 }
            return x < y ? -1 : x > y ? 1 : 0
        case let (.list(xs)?, .list(ys)?):
            for (x, y) in zip(xs, ys) {
                let order = compare(x, y, taskOrder: taskOrder)
                if order != 0 { return order }
            }
            return xs.count < ys.count ? -1 : xs.count > ys.count ? 1 : 0
        case let (x?, y?): return rank(x) < rank(y) ? -1 : 1
        }
    }

    private static func rank(_ option: SettingValue) -> Int {
        switch option {
        case .boolean: 0
        case .number: 1
        case .string: 2
        case .list: 3
        }
    }
}
