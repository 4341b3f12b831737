import Foundation
import FulcrumCore
import Testing

@Suite("Learning-rate schedules and weight decay")
struct ScheduleTests {
    @Test func warmupThenStepDecay() {
        let schedule = LearningRateSchedule(base: 0.1, warmupSteps: 4, decay: .step(every: 10, factor: 0.5), totalSteps: 100)
        for (step, expected) in zip(1...4, [0.025, 0.05, 0.075, 0.1]) { #expect(abs(schedule.rate(atStep: step) - expected) < 1e-15) }
        #expect(schedule.rate(atStep: 5) == 0.1 && schedule.rate(atStep: 14) == 0.1)
        #expect(schedule.rate(atStep: 15) == 0.05 && schedule.rate(atStep: 25) == 0.025)
    }

    @Test func cosineGoesFromBaseToMinimum() {
        let schedule = LearningRateSchedule(base: 1, decay: .cosine(minimum: 0.1), totalSteps: 11)
        #expect(schedule.rate(atStep: 1) == 1)
        #expect(abs(schedule.rate(atStep: 6) - (0.1 + 0.9 * 0.5)) < 1e-12)
        #expect(abs(schedule.rate(atStep: 11) - 0.1) < 1e-12)
    }

    /// hold_final h: the cosine spans round((T − warm-up)(1 − h)) − 1 steps after the warm-up, then the
    /// minimum holds. T = 11, h = 0.5: span round(5.5) − 1 = 5; rate 0.1 + 0.9 · ½(1 + cos(π t/5)).
    @Test func cosineWithAHeldFinalFraction() {
        let schedule = LearningRateSchedule(base: 1, decay: .cosine(minimum: 0.1, holdFinal: 0.5), totalSteps: 11)
        for step in 1...11 {
            let t = Double(min(step - 1, 5))
            let expected = 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * t / 5))
            #expect(abs(schedule.rate(atStep: step) - expected) < 1e-12, "step \(step)")
        }
        #expect((6...11).allSatisfy { abs(schedule.rate(atStep: $0) - 0.1) < 1e-12 }, "the last steps hold the minimum")
        // Without a hold the schedule is the plain cosine.
        let plain = LearningRateSchedule(base: 1, decay: .cosine(minimum: 0.1), totalSteps: 11)
        #expect((1...11).allSatisfy { plain.rate(atStep: $0) == LearningRateSchedule(base: 1, decay: .cosine(minimum: 0.1, holdFinal: 0), totalSteps: 11).rate(atStep: $0) })
    }

    @Test func adamWDecaysWeightsApartFromTheGradient() {
        let parameter = Variable(Tensor(shape: [1], scalars: [2]), requiresGrad: true)
        let adamW = Adam(parameters: [parameter], decoupledWeightDecay: 0.1)
        parameter.grad = Tensor(shape: [1], scalars: [0.5])
        adamW.step(learningRate: 0.01)
        // θ − lr · (m̂/(√v̂ + ε) + λθ) = 2 − 0.01 · (1 + 0.2)
        #expect(abs(parameter.value.scalars[0] - (2 - 0.01 * 1.2)) < 1e-6)
    }

    @Test func sgdWeightDecayAddsToTheGradient() {
        let parameter = Variable(Tensor(shape: [1], scalars: [2]), requiresGrad: true)
        let sgd = SGD(parameters: [parameter], weightDecay: 0.5)
        parameter.grad = Tensor(shape: [1], scalars: [1])
        sgd.step(learningRate: 0.1)
        #expect(abs(parameter.value.scalars[0] - (2 - 0.1 * (1 + 0.5 * 2))) < 1e-6)
    }
}
