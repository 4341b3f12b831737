/// The KPIs of the image tasks — mask IoU, box IoU, PCK — computed in Double on a batch [n, outputs].
/// Each is a fraction or a mean of fractions, so it stays in [0, 1].
enum SpatialKPI {
    /// Mean over examples of |P ∩ T| / |P ∪ T| with P = {logit > 0} and T = {target > 0.5}.
    /// An example whose mask and prediction are both empty was predicted perfectly: it counts 1.
    static func meanMaskIoU(_ logits: Tensor, _ masks: Tensor) -> Double {
        let scores = maskIoUs(logits, masks)
        return scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
    }

    /// The fraction of examples whose mask IoU (as in `meanMaskIoU`) is ≥ `threshold`.
    static func maskHitRate(_ logits: Tensor, _ masks: Tensor, threshold: Double) -> Double {
        let scores = maskIoUs(logits, masks)
        return scores.isEmpty ? 0 : Double(scores.filter { $0 >= threshold }.count) / Double(scores.count)
    }

    /// Each example's |P ∩ T| / |P ∪ T| (1 when both are empty).
    private static func maskIoUs(_ logits: Tensor, _ masks: Tensor) -> [Double] {
        precondition(logits.shape == masks.shape, "mask IoU: logits \(logits.shape), targets \(masks.shape)")
        let pixels = masks.columns
        return (0..<masks.rows).map { example in
            var intersection = 0, union = 0
            for i in example * pixels..<(example + 1) * pixels {
                let predicted = logits.scalars[i] > 0, target = masks.scalars[i] > 0.5
                if predicted && target { intersection += 1 }
                if predicted || target { union += 1 }
            }
            return union == 0 ? 1 : Double(intersection) / Double(union)
        }
    }

    /// IoU of two boxes (x₀, y₀, x₁, y₁). A box with x₁ < x₀ or y₁ < y₀ has area 0, so an inverted
    /// prediction scores 0; so does a pair whose union has no area (a degenerate target box: the
    /// data sets' items always have an extent).
    static func intersectionOverUnion(_ a: [Double], _ b: [Double]) -> Double {
        func area(_ box: [Double]) -> Double { max(0, box[2] - box[0]) * max(0, box[3] - box[1]) }
        let width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
        let height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        // An inverted box's x₁ < x₀ makes min(x₁, ·) < max(x₀, ·): its intersection is 0 too.
        let intersection = width * height
        let union = area(a) + area(b) - intersection
        let iou = intersection / union
        // Written so that a NaN (a diverged head, a 0/0) scores 0, and rounding cannot pass 1.
        return iou > 0 ? (iou < 1 ? iou : 1) : 0
    }

    /// The fraction of examples whose predicted box has IoU ≥ `threshold` with the target box.
    static func boxHitRate(_ predictions: Tensor, _ boxes: Tensor, threshold: Double) -> Double {
        precondition(predictions.shape == boxes.shape && boxes.columns == 4,
                     "box IoU: predictions \(predictions.shape), targets \(boxes.shape), expected [n, 4]")
        func box(_ tensor: Tensor, _ row: Int) -> [Double] { (0..<4).map { Double(tensor.scalars[row * 4 + $0]) } }
        let hits = (0..<boxes.rows).filter { intersectionOverUnion(box(predictions, $0), box(boxes, $0)) >= threshold }.count
        return boxes.rows == 0 ? 0 : Double(hits) / Double(boxes.rows)
    }

    /// The smallest scale PCK divides by: an example whose target points all coincide (a single
    /// keypoint, or an item shrunk to a point) has extent 0, and then only a point within
    /// tolerance × 1e-6 of the target — in effect an exact hit — counts.
    static let minimumExtent = 1e-6

    /// The fraction of keypoints within `tolerance` × max(box width, box height) of the target
    /// (Euclidean distance), the box being the extent of the example's target points — for the four
    /// extreme points of an item, its bounding box.
    static func percentageOfCorrectKeypoints(_ predictions: Tensor, _ points: Tensor, tolerance: Double) -> Double {
        precondition(predictions.shape == points.shape && points.columns % 2 == 0,
                     "PCK: predictions \(predictions.shape), targets \(points.shape), expected [n, 2·count]")
        let columns = points.columns, count = columns / 2
        var correct = 0
        for example in 0..<points.rows {
            let base = example * columns
            let xs = (0..<count).map { Double(points.scalars[base + 2 * $0]) }
            let ys = (0..<count).map { Double(points.scalars[base + 2 * $0 + 1]) }
            let extent = max((xs.max() ?? 0) - (xs.min() ?? 0), (ys.max() ?? 0) - (ys.min() ?? 0))
            let radius = tolerance * max(extent, minimumExtent)
            for k in 0..<count {
                let dx = Double(predictions.scalars[base + 2 * k]) - xs[k]
                let dy = Double(predictions.scalars[base + 2 * k + 1]) - ys[k]
                if (dx * dx + dy * dy).squareRoot() <= radius { correct += 1 }
            }
        }
        return points.rows * count == 0 ? 0 : Double(correct) / Double(points.rows * count)
    }
}
