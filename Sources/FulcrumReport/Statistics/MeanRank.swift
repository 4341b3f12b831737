/// The mean rank of each method over tasks (or over experiments), as multi-task papers summarise a
/// comparison table where no method wins everywhere: lower is better, 1 is first everywhere.
public enum MeanRank {
    /// scores[row][column]: each row's rank in each column (1 = best; ties share the average of their ranks; nan cells are not ranked and do not count), averaged over the columns the row has a value in; nan for a row with no values.
    ///
    /// Ties are exact equality (fractional ranking: two rows tied for second both get 2.5). Every row
    /// must have one cell per entry of `higherIsBetter` (a precondition).
    public static func meanRanks(_ scores: [[Double]], higherIsBetter: [Bool]) -> [Double] {
        for (row, cells) in scores.enumerated() {
            precondition(cells.count == higherIsBetter.count,
                         "meanRanks: row \(row) has \(cells.count) cells, expected one per column (\(higherIsBetter.count))")
        }
        var rankSums = Array(repeating: 0.0, count: scores.count)
        var rankedColumns = Array(repeating: 0, count: scores.count)
        for column in higherIsBetter.indices {
            for (row, rank) in ranks(scores.map { $0[column] }, higherIsBetter: higherIsBetter[column]) {
                rankSums[row] += rank
                rankedColumns[row] += 1
            }
        }
        return zip(rankSums, rankedColumns).map { sum, count in count == 0 ? .nan : sum / Double(count) }
    }

    /// The rank of each non-nan value of one column, keyed by its row: best first, and a run of equal
    /// values at positions i…j (1-based) all get (i + j)/2.
    private static func ranks(_ column: [Double], higherIsBetter: Bool) -> [(row: Int, rank: Double)] {
        let ordered = column.indices.filter { !column[$0].isNaN }
            .sorted { higherIsBetter ? column[$0] > column[$1] : column[$0] < column[$1] }
        var result: [(row: Int, rank: Double)] = []
        var start = 0
        while start < ordered.count {
            var end = start
            while end + 1 < ordered.count && column[ordered[end + 1]] == column[ordered[start]] { end += 1 }
            let sharedRank = Double(start + end + 2) / 2
            result += ordered[start...end].map { (row: $0, rank: sharedRank) }
            start = end + 1
        }
        return result
    }
}
