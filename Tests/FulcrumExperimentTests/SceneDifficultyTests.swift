import Foundation
import FulcrumCore
import FulcrumExperiment
import Testing

/// The Table 1 analog's set-up check that needs no training, on experiments/dtp-table1.yaml's own
/// scenes and KPIs: a constant prediction — the median (or mean) training box and points — must not
/// already score on detection or pose (DTP weighs a task by its KPI, so a KPI that a constant earns
/// would misstate how hard the task is). The checks that need training (the difficulty order of the
/// uniform and single-task rows, convergence) are the report's Findings.
@Suite("Fashion scene difficulty (dtp-table1)")
struct SceneDifficultyTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/" + FashionMNIST.Split.train.imagesFile)))
    func aConstantPredictionScoresAtMostTenPercentOnDetectionAndPose() throws {
        let manifest = try Manifest.load("experiments/dtp-table1.yaml")
        let data = manifest.data
        let recipe = FashionScene.Recipe(canvas: data.canvas, scale: data.scale, clutter: data.clutter, clutterKind: data.clutterKind,
                                         clutterSize: data.clutterSize, labels: data.labels)
        let images = try FashionMNIST.load(directory: data.path)
        let scenes = FashionScenes.make(train: images.train, test: images.test, recipe: recipe, targets: [.box, .keypoints],
                                        trainCount: 2000, validationCount: 1000, testCount: 1, seed: data.seed)
        let kpi = { (name: String) in try #require(manifest.tasks.first { $0.spec.name == name }).spec.kpi }
        let (detection, pose) = (try kpi("detection"), try kpi("pose"))
        #expect(detection == .boxIoU(threshold: 0.8) && pose == .pck(tolerance: 0.075))
        guard case let .values(trainBoxes) = scenes.train.targets[0], case let .values(trainPoints) = scenes.train.targets[1],
              case let .values(boxes) = scenes.validation.targets[0], case let .values(points) = scenes.validation.targets[1] else {
            Issue.record("box and point targets expected"); return
        }
        for (name, statistic) in [("median", median), ("mean", mean)] {
            let box = constant(statistic(trainBoxes), rows: boxes.rows), point = constant(statistic(trainPoints), rows: points.rows)
            let scores = (detection.evaluate(box, .values(boxes)), pose.evaluate(point, .values(points)))
            #expect(scores.0 <= 0.10, "a constant \(name) box scores \(scores.0) on detection")
            #expect(scores.1 <= 0.10, "constant \(name) points score \(scores.1) on pose")
        }
    }

    private func constant(_ row: [Float], rows: Int) -> Tensor {
        Tensor(shape: [rows, row.count], scalars: (0..<rows).flatMap { _ in row })
    }

    private func column(_ values: Tensor, _ c: Int) -> [Float] { (0..<values.rows).map { values.scalars[$0 * values.columns + c] } }

    private func median(_ values: Tensor) -> [Float] {
        (0..<values.columns).map { c in let sorted = column(values, c).sorted(); return sorted[sorted.count / 2] }
    }

    private func mean(_ values: Tensor) -> [Float] {
        (0..<values.columns).map { c in column(values, c).reduce(0, +) / Float(values.rows) }
    }
}
