import Foundation
import FulcrumCore
import Testing

/// The image tasks — segmentation, detection, keypoints — their heads, losses and KPIs, with every
/// expected number worked out here by hand or in Double without the code under test.
@Suite("Segmentation, detection and keypoint tasks")
struct TaskKindTests {
    // MARK: Kinds

    @Test func kindsNameThemselvesAndSizeTheirHeads() {
        #expect(TaskKind.segmentation(height: 3, width: 5).name == "segmentation")
        #expect(TaskKind.detection.name == "detection")
        #expect(TaskKind.keypoints(count: 4).name == "keypoints")
        #expect(TaskKind.segmentation(height: 3, width: 5).outputCount == 15)
        #expect(TaskKind.detection.outputCount == 4)
        #expect(TaskKind.keypoints(count: 4).outputCount == 8)
    }

    @Test func standardLossesFitTheirKinds() {
        #expect(TaskLoss.standard(for: .segmentation(height: 2, width: 2)) == .binaryCrossEntropy)
        #expect(TaskLoss.standard(for: .detection) == .smoothL1(beta: 0.05))
        #expect(TaskLoss.standard(for: .keypoints(count: 2)) == .smoothL1(beta: 0.05))
        #expect(TaskLoss.defaultSmoothL1Beta(for: .regression(outputs: 1)) == 1)
        for kind in [TaskKind.segmentation(height: 2, width: 2), .detection, .keypoints(count: 2)] {
            #expect(TaskLoss.standard(for: kind).isCompatible(with: kind))
        }
    }

    @Test func lossesFitOnlyTheirKinds() {
        let segmentation = TaskKind.segmentation(height: 2, width: 2)
        #expect(TaskLoss.binaryFocal(gamma0: 2).isCompatible(with: segmentation))
        #expect(!TaskLoss.meanSquaredError.isCompatible(with: segmentation))
        #expect(!TaskLoss.softmaxCrossEntropy.isCompatible(with: segmentation))
        for kind in [TaskKind.detection, .keypoints(count: 3)] {
            #expect(TaskLoss.meanSquaredError.isCompatible(with: kind) && TaskLoss.l1.isCompatible(with: kind))
            #expect(!TaskLoss.binaryCrossEntropy.isCompatible(with: kind) && !TaskLoss.focal(gamma0: 1).isCompatible(with: kind))
        }
    }

    @Test func kpisFitOnlyTheirKindsAndNameTheReportColumns() {
        #expect(TaskKPI.maskIoU.isCompatible(with: .segmentation(height: 2, width: 2)))
        #expect(TaskKPI.boxIoU(threshold: 0.5).isCompatible(with: .detection))
        #expect(TaskKPI.pck(tolerance: 0.1).isCompatible(with: .keypoints(count: 4)))
        #expect(!TaskKPI.maskIoU.isCompatible(with: .detection))
        #expect(!TaskKPI.boxIoU(threshold: 0.5).isCompatible(with: .keypoints(count: 2)))
        #expect(!TaskKPI.pck(tolerance: 0.1).isCompatible(with: .regression(outputs: 2)))
        #expect(!TaskKPI.accuracy.isCompatible(with: .detection))
        #expect(TaskKPI.maskIoU.name == "mask IoU")
        #expect(TaskKPI.boxIoU(threshold: 0.5).name == "box IoU ≥ 0.5")
        #expect(TaskKPI.pck(tolerance: 0.1).name == "PCK@0.1")
    }

    // MARK: Mask IoU

    /// 3×3 masks: predicted {0, 1, 2, 3}, target {1, 2, 3, 4}: 3 pixels in common of 5 in the union.
    @Test func maskIoUIsIntersectionOverUnion() {
        let logits = Tensor(shape: [1, 9], scalars: [2, 1, 0.5, 3, -1, -2, -1, -4, -0.5])
        let masks = Tensor(shape: [1, 9], scalars: [0, 1, 1, 1, 1, 0, 0, 0, 0])
        #expect(abs(TaskKPI.maskIoU.evaluate(logits, .values(masks)) - 0.6) < 1e-12)
    }

    @Test func maskIoUCountsAnExampleWithBothMasksEmptyAsOne() {
        let logits = Tensor(shape: [2, 4], scalars: [-1, -1, -1, -1, /* second: */ 1, -1, -1, -1])
        let masks = Tensor(shape: [2, 4], scalars: [0, 0, 0, 0, /* second: */ 0, 1, 0, 0])
        // The first example (both empty) counts 1, the second (disjoint) 0: the mean is ½.
        #expect(TaskKPI.maskIoU.evaluate(logits, .values(masks)) == 0.5)
    }

    /// A logit of exactly 0 is not a predicted pixel, a target of exactly 0.5 not a foreground one.
    @Test func maskIoUThresholdsAreStrict() {
        let logits = Tensor(shape: [1, 3], scalars: [0, 1, 1])
        let masks = Tensor(shape: [1, 3], scalars: [1, 0.5, 1])
        // P = {1, 2}, T = {0, 2}: 1 of 3.
        #expect(abs(TaskKPI.maskIoU.evaluate(logits, .values(masks)) - 1.0 / 3) < 1e-12)
    }

    /// An IoU of exactly 3/5 hits at 0.6, not at 0.61; three examples with IoU 2/3, 1 (both empty)
    /// and 1/3 hit twice at 0.5 and once at 0.7, while their mean IoU is (2/3 + 1 + 1/3) / 3.
    @Test func maskHitRateCountsExamplesAtOrAboveTheThreshold() {
        let logits = Tensor(shape: [3, 3], scalars: [2, 1, 0.5, /* second: */ -1, -1, -1, /* third: */ 0, 1, 1])
        let masks = Tensor(shape: [3, 3], scalars: [0, 1, 1, /* second: */ 0, 0, 0, /* third: */ 1, 0.5, 1])
        let five = Tensor(shape: [1, 5], scalars: [1, 1, 1, 1, -1])
        let fiveTargets = Tensor(shape: [1, 5], scalars: [0, 1, 1, 1, 1])   // P ∩ T = 3, P ∪ T = 5
        #expect(TaskKPI.maskHitRate(threshold: 0.6).evaluate(five, .values(fiveTargets)) == 1)
        #expect(TaskKPI.maskHitRate(threshold: 0.61).evaluate(five, .values(fiveTargets)) == 0)
        // P = {0, 1, 2}, T = {1, 2}: 2/3; both empty: 1; P = {1, 2}, T = {0, 2}: 1/3.
        #expect(TaskKPI.maskHitRate(threshold: 0.5).evaluate(logits, .values(masks)) == 2.0 / 3)
        #expect(TaskKPI.maskHitRate(threshold: 0.7).evaluate(logits, .values(masks)) == 1.0 / 3)
        #expect(abs(TaskKPI.maskIoU.evaluate(logits, .values(masks)) - (2.0 / 3 + 1 + 1.0 / 3) / 3) < 1e-12)
        #expect(TaskKPI.maskHitRate(threshold: 0.5).isCompatible(with: .segmentation(height: 3, width: 1)))
        #expect(!TaskKPI.maskHitRate(threshold: 0.5).isCompatible(with: .detection))
        #expect(TaskKPI.maskHitRate(threshold: 0.5).name == "mask IoU ≥ 0.5")
    }

    // MARK: Box IoU

    private func boxHit(_ predicted: [Float], _ target: [Float], threshold: Double = 0.5) -> Double {
        TaskKPI.boxIoU(threshold: threshold).evaluate(Tensor(shape: [1, 4], scalars: predicted), .values(Tensor(shape: [1, 4], scalars: target)))
    }

    /// Target [0, 0.75]×[0, 1], prediction [0.25, 1]×[0, 1]: intersection 0.5, union 1 — all exact in binary.
    @Test func boxIoUExactlyAtTheThresholdCounts() {
        #expect(boxHit([0.25, 0, 1, 1], [0, 0, 0.75, 1]) == 1)
    }

    /// The same prediction 0.001 lower: IoU 0.4995 / 0.99975 ≈ 0.4996.
    @Test func boxIoUJustUnderTheThresholdDoesNotCount() {
        #expect(boxHit([0.25, 0, 1, 0.999], [0, 0, 0.75, 1]) == 0)
        #expect(boxHit([0.25, 0, 1, 0.999], [0, 0, 0.75, 1], threshold: 0.499) == 1)
    }

    /// Inverted boxes have no area: even a threshold of almost 0 is missed, though the corners lie inside the target.
    @Test func boxIoUOfAnInvertedPredictionIsZero() {
        #expect(boxHit([0.8, 0.1, 0.2, 0.9], [0, 0, 1, 1], threshold: 1e-9) == 0)
        #expect(boxHit([0.1, 0.8, 0.9, 0.2], [0, 0, 1, 1], threshold: 1e-9) == 0)
        #expect(boxHit([0, 0, 1, 1], [0, 0, 1, 1], threshold: 1) == 1)
    }

    @Test func boxIoUIsTheFractionOfExamplesHit() {
        let predicted = Tensor(shape: [4, 4], scalars: [0.25, 0, 1, 1, 0.25, 0, 1, 0.999, 0.8, 0.1, 0.2, 0.9, 0, 0, 0.5, 0.5])
        let targets = Tensor(shape: [4, 4], scalars: [0, 0, 0.75, 1, 0, 0, 0.75, 1, 0, 0, 1, 1, 0, 0, 0.5, 0.5])
        #expect(TaskKPI.boxIoU(threshold: 0.5).evaluate(predicted, .values(targets)) == 0.5)
    }

    // MARK: PCK

    /// Example 1: points (0.2, 0.2), (0.6, 0.4) — extent 0.4 wide, 0.2 high, radius 0.1 × 0.4 = 0.04.
    /// Example 2: points (0.5, 0.1), (0.5, 0.9) — extent 0 wide, 0.8 high, radius 0.08.
    /// In each, one prediction is 0.001 inside the radius and one 0.001 outside.
    @Test func pckCountsPointsWithinToleranceTimesTheTargetExtent() {
        let targets = Tensor(shape: [2, 4], scalars: [0.2, 0.2, 0.6, 0.4, /* 2: */ 0.5, 0.1, 0.5, 0.9])
        let predicted = Tensor(shape: [2, 4], scalars: [0.2 + 0.039, 0.2, 0.6, 0.4 + 0.041,
                                                        /* 2: */ 0.5 - 0.079, 0.1, 0.5, 0.9 - 0.081])
        #expect(TaskKPI.pck(tolerance: 0.1).evaluate(predicted, .values(targets)) == 0.5)
        #expect(TaskKPI.pck(tolerance: 0.11).evaluate(predicted, .values(targets)) == 1)
    }

    /// (0.03, 0.03) from the target is within 0.04 along each axis but 0.042 away.
    @Test func pckMeasuresEuclideanDistance() {
        let targets = Tensor(shape: [1, 4], scalars: [0.2, 0.2, 0.6, 0.4])
        let predicted = Tensor(shape: [1, 4], scalars: [0.23, 0.23, 0.6, 0.4])
        #expect(TaskKPI.pck(tolerance: 0.1).evaluate(predicted, .values(targets)) == 0.5)
    }

    /// A single keypoint has no extent: the scale is 1e-6, so only a (near-)exact hit counts.
    @Test func pckWithADegenerateExtentNeedsAnExactHit() {
        let targets = Tensor(shape: [2, 2], scalars: [0.5, 0.5, 0.3, 0.7])
        let predicted = Tensor(shape: [2, 2], scalars: [0.5, 0.5, 0.301, 0.7])
        #expect(TaskKPI.pck(tolerance: 0.1).evaluate(predicted, .values(targets)) == 0.5)
    }

    // MARK: Ranges

    @Test func everyKPIStaysInTheUnitIntervalOnWildOutputs() {
        var generator = SeededGenerator(seed: 11)
        func tensor(_ shape: [Int], scale: Double) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(scale * generator.normal()) })
        }
        for trial in 0..<20 {
            var outputs = tensor([8, 6], scale: 3)
            if trial % 2 == 0 { outputs.scalars[3] = .nan; outputs.scalars[7] = .infinity; outputs.scalars[12] = -.infinity }
            let masks = tensor([8, 6], scale: 1).mapped { $0 > 0 ? 1 : 0 }
            let points = tensor([8, 6], scale: 0.3).mapped { $0 + 0.5 }
            let boxes = Tensor(shape: [8, 4], scalars: (0..<8).flatMap { _ -> [Float] in
                let x = Float(generator.uniform() * 0.5), y = Float(generator.uniform() * 0.5)
                return [x, y, x + 0.1 + Float(generator.uniform() * 0.4), y + 0.1 + Float(generator.uniform() * 0.4)]
            })
            let boxOutputs = Tensor(shape: [8, 4], scalars: Array(outputs.scalars.prefix(32)))
            let values = [TaskKPI.maskIoU.evaluate(outputs, .values(masks)),
                          TaskKPI.boxIoU(threshold: 0.5).evaluate(boxOutputs, .values(boxes)),
                          TaskKPI.boxIoU(threshold: 1e-9).evaluate(boxOutputs, .values(boxes)),
                          TaskKPI.pck(tolerance: 0.1).evaluate(outputs, .values(points)),
                          TaskKPI.pck(tolerance: 100).evaluate(outputs, .values(points))]
            #expect(values.allSatisfy { (0...1).contains($0) }, "trial \(trial): \(values)")
        }
    }

    // MARK: Losses

    /// Per pixel, mean over pixels and examples.
    @Test func segmentationLossIsThePerPixelBinaryCrossEntropyMean() {
        let x: [Double] = [2, -1, 0.5, -3, 0, 4], y: [Double] = [1, 0, 0, 1, 1, 0]
        let expected = zip(x, y).map { x, y -> Double in
            let p = 1 / (1 + exp(-x))
            return -(y * log(p) + (1 - y) * log(1 - p))
        }.reduce(0, +) / 6
        let loss = TaskLoss.standard(for: .segmentation(height: 1, width: 3))(
            Variable(Tensor(shape: [2, 3], scalars: x.map(Float.init))), .values(Tensor(shape: [2, 3], scalars: y.map(Float.init))))
        #expect(abs(Double(loss.value.scalar) - expected) < 1e-5)
    }

    @Test func segmentationFocalLossIsThePerPixelFocalMean() {
        let x: [Double] = [2, -1, 0.5, -3], y: [Double] = [1, 0, 0, 1], gamma = 2.0
        let expected = zip(x, y).map { x, y -> Double in
            let p = 1 / (1 + exp(-x))
            return -y * pow(1 - p, gamma) * log(p) - (1 - y) * pow(p, gamma) * log(1 - p)
        }.reduce(0, +) / 4
        let loss = TaskLoss.binaryFocal(gamma0: 2)(Variable(Tensor(shape: [2, 2], scalars: x.map(Float.init))),
                                                   .values(Tensor(shape: [2, 2], scalars: y.map(Float.init))))
        #expect(abs(Double(loss.value.scalar) - expected) < 1e-5)
    }

    /// Errors 0.02 and −0.04 inside β = 0.05 (½d²/β), 0.3 and −0.1 outside (|d| − ½β).
    @Test func detectionSmoothL1UsesTheCoordinateScaleBeta() {
        let targets: [Double] = [0.2, 0.3, 0.6, 0.7], errors: [Double] = [0.02, -0.04, 0.3, -0.1]
        let beta = 0.05
        let expected = errors.map { abs($0) < beta ? 0.5 * $0 * $0 / beta : abs($0) - 0.5 * beta }.reduce(0, +) / 4
        #expect(abs(expected - (0.004 + 0.016 + 0.275 + 0.075) / 4) < 1e-12)
        let loss = TaskLoss.standard(for: .detection)(
            Variable(Tensor(shape: [1, 4], scalars: zip(targets, errors).map { Float($0 + $1) })),
            .values(Tensor(shape: [1, 4], scalars: targets.map(Float.init))))
        #expect(abs(Double(loss.value.scalar) - expected) < 1e-6)
    }

    // MARK: Gradients through the heads' losses

    /// A linear head on shared features, its logits scored by the segmentation loss.
    @Test func segmentationLossGradientThroughAHead() {
        let features = sampleTensor([5, 3], seed: 31)
        let masks = Tensor(shape: [5, 4], scalars: (0..<20).map { Float(($0 * 7) % 3 == 0 ? 1 : 0) })
        for loss in [TaskLoss.binaryCrossEntropy, .binaryFocal(gamma0: 2)] {
            expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 32), sampleTensor([4], seed: 33)]) { v in
                loss(addingRowVector(matmul(Variable(features), v[0]), v[1]), .values(masks))
            }
        }
    }

    /// Coordinates away from the β = 0.05 kink by more than ε, so the finite differences stay on one side.
    @Test func coordinateLossGradients() {
        let targets = Tensor(shape: [2, 4], scalars: [0.2, 0.3, 0.6, 0.7, 0.1, 0.5, 0.4, 0.9])
        let outputs = Tensor(shape: [2, 4], scalars: [0.21, 0.28, 0.9, 0.5, 0.1 + 0.015, 0.2, 0.45 + 0.03, 0.95 + 0.04])
        for loss in [TaskLoss.standard(for: .detection), .meanSquaredError, .l1] {
            expectGradientsMatchFiniteDifferences([outputs], epsilon: 2e-3) { v in loss(v[0], .values(targets)) }
        }
    }

    // MARK: Training

    @Test func aTrainerLearnsOneTaskOfEachNewKind() throws {
        let tasks = [
            TaskSpec(name: "mask", kind: .segmentation(height: 3, width: 3), loss: .binaryCrossEntropy, kpi: .maskIoU),
            TaskSpec(name: "box", kind: .detection, loss: TaskLoss.standard(for: .detection), kpi: .boxIoU(threshold: 0.5)),
            TaskSpec(name: "points", kind: .keypoints(count: 4), loss: TaskLoss.standard(for: .keypoints(count: 4)), kpi: .pck(tolerance: 0.1)),
        ]
        var generator = SeededGenerator(seed: 7)
        /// Pixel j is on where feature j mod 8 is positive; the box's centre and size, and its four
        /// edge midpoints (the extreme points of a box-shaped item), follow the first four features.
        func split(_ count: Int) -> MultiTaskDataset {
            let inputs = Tensor(shape: [count, 8], scalars: (0..<count * 8).map { _ in Float(generator.normal()) })
            var masks: [Float] = [], boxes: [Float] = [], points: [Float] = []
            for row in 0..<count {
                masks += (0..<9).map { inputs[row, $0 % 8] > 0 ? 1 : 0 }
                let squash = { (f: Int) in Foundation.tanh(inputs[row, f]) }
                let cx = 0.5 + 0.15 * squash(0), cy = 0.5 + 0.15 * squash(1)
                let w = 0.3 + 0.1 * squash(2), h = 0.3 + 0.1 * squash(3)
                boxes += [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
                points += [cx - w / 2, cy, cx, cy - h / 2, cx + w / 2, cy, cx, cy + h / 2]
            }
            return MultiTaskDataset(inputs: inputs, targets: [.values(Tensor(shape: [count, 9], scalars: masks)),
                                                              .values(Tensor(shape: [count, 4], scalars: boxes)),
                                                              .values(Tensor(shape: [count, 8], scalars: points))])
        }
        let data = DatasetSplits(train: split(256), validation: split(128))
        var initialisation = SeededGenerator.stream(3, 1)
        let model = MultiTaskNetwork(NetworkSpec(input: .features(8), trunk: .mlp(widths: [32, 32], activation: .relu, dropout: 0),
                                                 architecture: .hardSharing, headOutputs: tasks.map(\.kind.outputCount)),
                                     generator: &initialisation)
        let policy = FixedWeights(TaskWeights([1, 1, 1]), needs: [.kpi])
        let recorder = Recorder()
        let summary = try Trainer(model: model, tasks: tasks, data: data,
                                  configuration: TrainingConfiguration(steps: 300, batchSize: 32, optimizer: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
                                                                       learningRate: 0.01, evaluationInterval: 100, seed: 3),
                                  policy: policy, hooks: [recorder]).run()

        #expect(policy.context?.taskKinds == ["segmentation", "detection", "keypoints"])
        #expect(recorder.steps.count == 300)
        for record in recorder.steps {
            #expect(record.loss.allSatisfy { $0.isFinite }, "step \(record.step): losses \(record.loss)")
            #expect(record.kpi.allSatisfy { (0...1).contains($0) }, "step \(record.step): KPIs \(record.kpi)")
        }
        #expect(policy.seen.allSatisfy { $0.kpi?.count == 3 })
        let before = try #require(recorder.evaluations.first), after = summary.finalEvaluation
        for evaluation in recorder.evaluations {
            #expect(evaluation.kpi.allSatisfy { (0...1).contains($0) } && evaluation.loss.allSatisfy { $0.isFinite })
        }
        for task in tasks.indices {
            #expect(after.loss[task] < 0.6 * before.loss[task], "task \(tasks[task].name): \(before.loss[task]) → \(after.loss[task])")
            #expect(after.kpi[task] > before.kpi[task], "task \(tasks[task].name): KPI \(before.kpi[task]) → \(after.kpi[task])")
        }
    }
}
