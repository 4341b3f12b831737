import FulcrumCore
import Testing

/// The synthetic data with a test split: another draw's validation examples, shaped like the rest.
func syntheticDataWithTest(test: Int = 96) -> DatasetSplits {
    let data = syntheticData()
    return DatasetSplits(train: data.train, validation: data.validation,
                         test: syntheticData(seed: 4, train: 8, validation: test).validation)
}

/// Mean loss and KPI of `model` over all of `examples` in one batch, from the tasks' own loss and KPI:
/// what the trainer's chunked evaluation must agree with.
func meanLossAndKPI(_ model: any MultiTaskModel, _ examples: MultiTaskDataset) -> (loss: [Double], kpi: [Double]) {
    let outputs = model(Variable(examples.inputs), .evaluation)
    return (fourTasks.indices.map { Double(fourTasks[$0].loss(outputs[$0], examples.targets[$0]).value.scalar) },
            fourTasks.indices.map { fourTasks[$0].kpi.evaluate(outputs[$0].value, examples.targets[$0]) })
}

@Suite("Trainer: test split")
struct TestSplitEvaluationTests {
    @Test func testSplitIsEvaluatedBeforeTheFirstStepAndAfterTheLastOnly() throws {
        let data = syntheticDataWithTest()
        let test = try #require(data.test)
        let recorder = Recorder()
        let trainer = makeTrainer(seed: 2, steps: 60, policy: FixedWeights(TaskWeights([1, 1, 1, 1])), hooks: [recorder], data: data)
        let before = meanLossAndKPI(trainer.model, test)
        let summary = try trainer.run()
        let after = meanLossAndKPI(trainer.model, test)

        // Validation at 0, every 50 steps and at the end; test at 0 and at the end, each after its validation.
        #expect(recorder.evaluations.map { "\($0.split.rawValue) \($0.step)" }
                == ["validation 0", "test 0", "validation 50", "validation 60", "test 60"])
        let tests = recorder.evaluations.filter { $0.split == .test }
        for (record, expected) in zip(tests, [before, after]) {
            for task in fourTasks.indices {
                #expect(abs(record.loss[task] - expected.loss[task]) < 1e-6, "step \(record.step) task \(task) loss")
                #expect(abs(record.kpi[task] - expected.kpi[task]) < 1e-9, "step \(record.step) task \(task) KPI")
            }
        }
        #expect(tests[0].loss != tests[1].loss)
        #expect(summary.finalTestEvaluation == tests.last)
        #expect(summary.finalEvaluation.split == .validation && summary.finalEvaluation.step == 60)
    }

    @Test func testSplitOverSeveralChunksIsTheMeanOverAllExamples() throws {
        let data = syntheticDataWithTest(test: 1500)  // a chunk of 1024 and one of 476
        let trainer = makeTrainer(seed: 1, steps: 2, policy: FixedWeights(TaskWeights([1, 1, 1, 1])), data: data)
        let summary = try trainer.run()
        let expected = meanLossAndKPI(trainer.model, try #require(data.test))
        let final = try #require(summary.finalTestEvaluation)
        for task in fourTasks.indices {
            #expect(abs(final.loss[task] - expected.loss[task]) < 1e-5 * max(1, expected.loss[task]))
            #expect(abs(final.kpi[task] - expected.kpi[task]) < 1e-9)
        }
    }

    @Test func noTestSplitOrAnEmptyOneGivesNoTestEvaluation() throws {
        let plain = syntheticData()
        let empty = DatasetSplits(train: plain.train, validation: plain.validation, test: plain.validation.subset([]))
        for data in [plain, empty] {
            let recorder = Recorder()
            let summary = try makeTrainer(seed: 1, steps: 3, policy: FixedWeights(TaskWeights([1, 1, 1, 1])), hooks: [recorder], data: data).run()
            #expect(recorder.evaluations.map(\.split) == [.validation, .validation])
            #expect(summary.finalTestEvaluation == nil)
        }
    }

    /// Test data must never influence training: with or without a test split, the policy sees the same
    /// signals (its `val_kpi`/`val_loss` are the latest validation evaluation's) and training goes the same.
    @Test func thePolicyNeverSeesTestNumbers() throws {
        func run(_ data: DatasetSplits) throws -> (FixedWeights, Recorder) {
            let policy = FixedWeights(TaskWeights([1, 1, 1, 1]), needs: [.validationKPI, .validationLoss])
            let recorder = Recorder()
            try makeTrainer(seed: 3, steps: 60, policy: policy, hooks: [recorder], data: data).run()
            return (policy, recorder)
        }
        let (withTest, recorded) = try run(syntheticDataWithTest())
        let (withoutTest, _) = try run(syntheticData())
        #expect(withTest.seen == withoutTest.seen)

        let validation = recorded.evaluations.filter { $0.split == .validation }
        let test = recorded.evaluations.filter { $0.split == .test }
        // Steps 1…50 see the step-0 validation evaluation, steps 51…60 the step-50 one; never a test one.
        for signals in withTest.seen {
            let latest = try #require(validation.last { $0.step < signals.step })
            #expect(signals.validationLoss == latest.loss && signals.validationKPI == latest.kpi, "step \(signals.step)")
            #expect(!test.contains { $0.loss == signals.validationLoss || $0.kpi == signals.validationKPI }, "step \(signals.step)")
        }
    }
}
