/// Holm's step-down correction of a family of p-values (Holm, "A simple sequentially rejective
/// multiple test procedure", Scand. J. Statist. 1979). A report tests many rows × tasks against its
/// baseline; at 5 % each, one in twenty true nulls would get a dagger. Holm keeps the chance of any
/// false dagger in the report at 5 %, and never rejects less than Bonferroni.
public enum Holm {
    /// The adjusted p-values, in the order given: with p_(1) ≤ … ≤ p_(m) sorted,
    /// p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)), so a test is significant at α when p̃ < α.
    ///
    /// Monotone in p and capped at 1. A nan (a test that could not be made) is not part of the
    /// family — m counts the others — and comes back nan.
    public static func adjusted(_ pValues: [Double]) -> [Double] {
        let family = pValues.indices.filter { !pValues[$0].isNaN }.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = pValues.map { _ in Double.nan }
        var running = 0.0
        for (rank, index) in family.enumerated() {
            running = max(running, min(1, Double(family.count - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
