import Foundation
import FulcrumCore
@testable import FulcrumExperiment
import FulcrumTestSupport
import Testing

/// The image task types in manifests: `segmentation`, `detection`, `keypoints`, their losses and KPIs.
/// Whole manifests check the data set; `Manifest.loadTasks` reads a tasks section as a manifest on
/// an image data set would.
@Suite("Manifest task types")
struct ManifestTaskTypeTests {
    let scratch = ScratchDirectory()

    private func task(_ entry: String) throws -> Manifest.ManifestTask {
        let tasks = try Manifest.loadTasks(yaml: "- \(entry)\n", dataset: .fashionScenes)
        return try #require(tasks.first)
    }

    @Test func segmentationParsesWithItsDefaults() throws {
        let spec = try task("{ name: outline, type: segmentation, height: 4, width: 6 }").spec
        #expect(spec == TaskSpec(name: "outline", kind: .segmentation(height: 4, width: 6), loss: .binaryCrossEntropy, kpi: .maskIoU))
        #expect(spec.kind.outputCount == 24)
        #expect(try task("{ name: outline, type: segmentation, height: 4, width: 6, gamma0: 2 }").spec.loss == .binaryFocal(gamma0: 2))
        #expect(try task("{ name: outline, type: segmentation, height: 4, width: 6, kpi: accuracy }").spec.kpi == .accuracy)
    }

    @Test func detectionParsesWithItsDefaults() throws {
        #expect(try task("{ name: box, type: detection }").spec
            == TaskSpec(name: "box", kind: .detection, loss: .smoothL1(beta: 0.05), kpi: .boxIoU(threshold: 0.5)))
        #expect(try task("{ name: box, type: detection, kpi: box_iou, threshold: 0.75 }").spec.kpi == .boxIoU(threshold: 0.75))
        #expect(try task("{ name: box, type: detection, threshold: 1 }").spec.kpi == .boxIoU(threshold: 1))
        #expect(try task("{ name: box, type: detection, loss: smooth_l1 }").spec.loss == .smoothL1(beta: 0.05))
        #expect(try task("{ name: box, type: detection, beta: 0.1 }").spec.loss == .smoothL1(beta: 0.1))
        #expect(try task("{ name: box, type: detection, loss: l1 }").spec.loss == .l1)
        #expect(try task("{ name: box, type: detection, loss: mse, kpi: within_tolerance, tolerance: 0.05 }").spec
            == TaskSpec(name: "box", kind: .detection, loss: .meanSquaredError, kpi: .withinTolerance(0.05)))
    }

    @Test func keypointsParseWithTheirDefaults() throws {
        let spec = try task("{ name: extremes, type: keypoints, count: 4 }").spec
        #expect(spec == TaskSpec(name: "extremes", kind: .keypoints(count: 4), loss: .smoothL1(beta: 0.05), kpi: .pck(tolerance: 0.1)))
        #expect(spec.kind.outputCount == 8)
        #expect(try task("{ name: extremes, type: keypoints, count: 4, kpi: pck, tolerance: 0.2 }").spec.kpi == .pck(tolerance: 0.2))
        #expect(try task("{ name: extremes, type: keypoints, count: 1, loss: mse }").spec.loss == .meanSquaredError)
    }

    /// Regression keeps smooth-L1's β = 1 unless the manifest sets one.
    @Test func regressionSmoothL1KeepsBetaOne() throws {
        #expect(try task("{ name: level, type: regression, outputs: 2, loss: smooth_l1, tolerance: 0.1 }").spec.loss == .smoothL1(beta: 1))
        #expect(try task("{ name: level, type: regression, outputs: 2, loss: smooth_l1, beta: 0.5, tolerance: 0.1 }").spec.loss
            == .smoothL1(beta: 0.5))
    }

    /// Each bad task entry and the exact problems it reports.
    @Test(arguments: [
        ("{ name: m, type: pose }",
         ["tasks[0].type: expected one of: classification, binary, regression, segmentation, detection, keypoints, got 'pose'"]),
        ("{ name: m, type: segmentation, height: 8 }", ["tasks[0].width: missing required key 'width'"]),
        ("{ name: m, type: segmentation }",
         ["tasks[0].height: missing required key 'height'", "tasks[0].width: missing required key 'width'"]),
        ("{ name: m, type: segmentation, height: 0, width: 8 }", ["tasks[0].height: expected an integer ≥ 1, got '0'"]),
        ("{ name: m, type: segmentation, height: 4, width: 2.5 }", ["tasks[0].width: expected an integer ≥ 1, got '2.5'"]),
        ("{ name: m, type: segmentation, height: 4, width: 4, count: 2 }", ["tasks[0].count: 'count' applies to keypoints tasks only"]),
        ("{ name: m, type: segmentation, height: 4, width: 4, loss: mse }",
         ["tasks[0].loss: loss mse does not fit a segmentation task; use binary_cross_entropy"]),
        ("{ name: m, type: segmentation, height: 4, width: 4, kpi: box_iou }", ["tasks[0].kpi: KPI box_iou does not fit a segmentation task"]),
        ("{ name: m, type: segmentation, height: 4, width: 4, kpi: iou }",
         ["tasks[0].kpi: expected one of: accuracy, within_tolerance, mask_iou, mask_hit_rate, box_iou, pck, got 'iou'"]),
        ("{ name: b, type: detection, outputs: 4 }", ["tasks[0].outputs: 'outputs' applies to regression tasks only"]),
        ("{ name: b, type: detection, loss: binary_cross_entropy }",
         ["tasks[0].loss: loss binary_cross_entropy does not fit a detection task; use smooth_l1"]),
        ("{ name: b, type: detection, gamma0: 2 }",
         ["tasks[0].gamma0: 'gamma0' (the focal loss) applies to cross-entropy losses of classification, binary and segmentation tasks"]),
        ("{ name: b, type: detection, threshold: 1.5 }", ["tasks[0].threshold: expected an IoU threshold in (0, 1], got '1.5'"]),
        ("{ name: b, type: detection, threshold: 0 }", ["tasks[0].threshold: expected an IoU threshold in (0, 1], got '0'"]),
        ("{ name: b, type: detection, tolerance: 0.1 }", ["tasks[0].tolerance: 'tolerance' applies to the within_tolerance and pck KPIs only"]),
        ("{ name: b, type: detection, loss: mse, beta: 0.1 }", ["tasks[0].beta: 'beta' (the smooth-L1 threshold) applies to the smooth_l1 loss only"]),
        ("{ name: b, type: detection, beta: 0 }", ["tasks[0].beta: expected a smooth-L1 threshold β > 0, got '0'"]),
        ("{ name: b, type: detection, kpi: pck }", ["tasks[0].kpi: KPI pck does not fit a detection task"]),
        ("{ name: p, type: keypoints }", ["tasks[0].count: missing required key 'count'"]),
        ("{ name: p, type: keypoints, count: 0 }", ["tasks[0].count: expected an integer ≥ 1, got '0'"]),
        ("{ name: p, type: keypoints, count: 4, height: 4 }", ["tasks[0].height: 'height' applies to segmentation tasks only"]),
        ("{ name: p, type: keypoints, count: 4, threshold: 0.5 }", ["tasks[0].threshold: 'threshold' applies to the box_iou and mask_hit_rate KPIs only"]),
        ("{ name: p, type: keypoints, count: 4, tolerance: -1 }", ["tasks[0].tolerance: expected a tolerance > 0, got '-1'"]),
        ("{ name: p, type: keypoints, count: 4, kpi: within_tolerance }", ["tasks[0].tolerance: missing required key 'tolerance'"]),
        ("{ name: p, type: keypoints, count: 4, kpi: mask_iou }", ["tasks[0].kpi: KPI mask_iou does not fit a keypoints task"]),
        ("{ name: c, type: classification, classes: 3, kpi: box_iou }", ["tasks[0].kpi: KPI box_iou does not fit a classification task"]),
        ("{ name: c, type: classification, classes: 3, width: 3 }", ["tasks[0].width: 'width' applies to segmentation tasks only"]),
        ("{ name: c, type: classification, classes: 3, loss: smooth_l1, beta: 0.1 }",
         ["tasks[0].loss: loss smooth_l1 does not fit a classification task; use softmax_cross_entropy",
          "tasks[0].beta: 'beta' (the smooth-L1 threshold) applies to the smooth_l1 loss only"]),
        ("{ name: r, type: regression, outputs: 2, tolerance: 0.1, threshold: 0.5 }",
         ["tasks[0].threshold: 'threshold' applies to the box_iou and mask_hit_rate KPIs only"]),
    ])
    func badTaskEntriesNameTheKeyPath(entry: String, expected: [String]) throws {
        let error = try #require(throws: ManifestError.self) { try Manifest.loadTasks(yaml: "- \(entry)\n", dataset: .fashionScenes) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == expected)
        #expect(error.problems.allSatisfy { $0.line != nil })
    }

    /// The synthetic data make classification, binary and regression targets only.
    @Test(arguments: [
        ("segmentation", "    height: 2\n    width: 3\n"),
        ("detection", ""),
        ("keypoints", "    count: 4\n"),
    ])
    func imageTaskTypesNeedAnImageDataSet(type: String, keys: String) throws {
        let policy = scratch.write("p.lua", "return { name = 'p', weights = function() return { 1, 1, 1 } end }")
        let text = tinyManifest(policies: "  p: { script: \(policy) }")
            .replacingOccurrences(of: "    tolerance: 0.3\n", with: "    tolerance: 0.3\n  - name: outline\n    type: \(type)\n\(keys)")
        #expect(text.contains("type: \(type)"))
        let file = scratch.write("image.yaml", text)
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == [
            "tasks[2].type: \(type) needs an image data set (fashion_scenes); the synthetic data set makes classification, binary and regression tasks",
        ])
        #expect(error.problems.allSatisfy { $0.file == file && $0.line != nil })
    }

    /// With several tasks, each problem names its task's position.
    @Test func problemsNameTheTaskPosition() throws {
        let yaml = """
        - { name: a, type: detection }
        - { name: b, type: keypoints, count: 2, kpi: box_iou }
        - { name: c, type: segmentation, height: 2, width: 2, loss: l1 }
        """
        let error = try #require(throws: ManifestError.self) { try Manifest.loadTasks(yaml: yaml, dataset: .fashionScenes) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == [
            "tasks[1].kpi: KPI box_iou does not fit a keypoints task",
            "tasks[2].loss: loss l1 does not fit a segmentation task; use binary_cross_entropy",
        ])
        #expect(error.problems.map(\.line) == [2, 3])
    }
}
