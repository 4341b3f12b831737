import Foundation
import FulcrumCore
@testable import FulcrumExperiment
import FulcrumStoreFixtures
import FulcrumTestSupport
import GRDB
import Testing

@Suite("Store: test-split evaluations")
struct TestSplitStoreTests {
    let scratch = ScratchDirectory()

    /// A hand-written finished run `id` with test evaluations at steps 0 and 2 beside its validation ones.
    func runWithTestRows(_ written: StoreFixture, _ id: String, of manifest: Manifest) throws {
        try written.run(id, of: manifest)
        try written.store.appendEvaluation(EvaluationRecord(step: 0, loss: [3, 4], kpi: [0.0625, 0.125], split: .test), run: id)
        try written.store.appendEvaluation(EvaluationRecord(step: 2, loss: [1.5, 0.5], kpi: [0.625, 0.5], split: .test), run: id)
    }

    @Test func testEvaluationsRoundTripBesideTheValidationOnes() throws {
        let written = try StoreFixture(scratch)
        try runWithTestRows(written, "r1", of: try written.experiment("tiny"))
        // The validation series is what it was; the test one is read by asking for it.
        #expect(try written.store.evaluations(ofRun: "r1") == [
            StoredEvaluation(step: 0, loss: [1, 2], kpi: [0.125, 0.25]), StoredEvaluation(step: 2, loss: [0.5, 1], kpi: [0.75, 0.875]),
        ])
        #expect(try written.store.evaluations(ofRun: "r1", split: .test) == [
            StoredEvaluation(step: 0, loss: [3, 4], kpi: [0.0625, 0.125]), StoredEvaluation(step: 2, loss: [1.5, 0.5], kpi: [0.625, 0.5]),
        ])
    }

    @Test func aV4StoreIsMigratedWithItsEvaluationsAsValidationOnes() throws {
        let path = "\(scratch.path)/v4.sqlite"
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v4: sweep variants, divergence, interruption, run cost and provenance")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO experiment (name, description, manifest_path, manifest_hash, tasks, policies, seeds, steps, updated_at)
                    VALUES ('old', '', 'old.yaml', 'h', '[]', '["a"]', '[1]', 5, '2026-01-01T00:00:00Z');
                INSERT INTO run (id, experiment, manifest_hash, policy, policy_file, policy_hash, options, seed, status, started_at)
                    VALUES ('r1', 'old', 'h', 'a', 'a.lua', 'p', '{}', 1, 'finished', '2026-01-01T00:00:00Z');
                INSERT INTO evaluation (run_id, step, task, loss, kpi)
                    VALUES ('r1', 0, 0, 1.0, 0.25), ('r1', 0, 1, 2.0, 0.5), ('r1', 5, 0, 0.5, 0.75), ('r1', 5, 1, 1.0, 1.0);
                """)
        }
        try queue.close()

        let store = try RunStore(path: path)
        #expect(try store.evaluations(ofRun: "r1") == [
            StoredEvaluation(step: 0, loss: [1, 2], kpi: [0.25, 0.5]), StoredEvaluation(step: 5, loss: [0.5, 1], kpi: [0.75, 1]),
        ])
        #expect(try store.evaluations(ofRun: "r1", split: .test) == [])
        // v7 names the sweep point's column as everything else does.
        let runColumns = try DatabaseQueue(path: path).read { try $0.columns(in: "run").map(\.name) }
        #expect(runColumns.contains("point") && !runColumns.contains("variant"))
        // The split is part of the key: a test row at a validation row's step and task fits beside it, a
        // second one does not, and a split other than validation or test is refused.
        try store.appendEvaluation(EvaluationRecord(step: 5, loss: [2, 3], kpi: [0.5, 0.5], split: .test), run: "r1")
        #expect(throws: DatabaseError.self) {
            try store.appendEvaluation(EvaluationRecord(step: 5, loss: [2, 3], kpi: [0.5, 0.5], split: .test), run: "r1")
        }
        let check = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) {
            try check.write { try $0.execute(sql: "INSERT INTO evaluation (run_id, split, step, task, loss, kpi) VALUES ('r1', 'train', 1, 0, 1, 1)") }
        }
        let columns = try check.read { try $0.primaryKey("evaluation").columns }
        #expect(columns == ["run_id", "split", "step", "task"])
        // The cascade from run still holds after the rebuild.
        try check.write { try $0.execute(sql: "DELETE FROM run WHERE id = 'r1'") }
        #expect(try check.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM evaluation") } == 0)
    }

    @Test func csvExportHasASplitColumn() throws {
        let written = try StoreFixture(scratch)
        try runWithTestRows(written, "r1", of: try written.experiment("tiny"))
        try written.store.exportCSV(to: "\(scratch.path)/csv")
        #expect(try String(contentsOfFile: "\(scratch.path)/csv/evaluations.csv", encoding: .utf8) == """
            experiment,run_id,policy,point,seed,split,step,task,loss,kpi
            tiny,r1,a,{},1,validation,0,first,1.0,0.125
            tiny,r1,a,{},1,validation,0,second,2.0,0.25
            tiny,r1,a,{},1,validation,2,first,0.5,0.75
            tiny,r1,a,{},1,validation,2,second,1.0,0.875
            tiny,r1,a,{},1,test,0,first,3.0,0.0625
            tiny,r1,a,{},1,test,0,second,4.0,0.125
            tiny,r1,a,{},1,test,2,first,1.5,0.625
            tiny,r1,a,{},1,test,2,second,0.5,0.5

            """)
    }

    @Test func mergeCopiesTheTestRows() throws {
        let source = try StoreFixture(scratch, file: "source.sqlite")
        try runWithTestRows(source, "r1", of: try source.experiment("tiny"))
        let target = try StoreFixture(scratch, file: "target.sqlite")
        try target.store.merge(from: source.store.path)
        #expect(try target.rows("evaluation") == source.rows("evaluation"))
        #expect(try target.rows("evaluation").count == 8)
        #expect(try target.store.evaluations(ofRun: "r1", split: .test) == source.store.evaluations(ofRun: "r1", split: .test))
    }

    /// The runner stores what the trainer evaluates: the GradNorm toy has a test split, evaluated at the
    /// first and last step, for the multi-task run and (at its task's position) the single-task baseline.
    @Test func runnerStoresTestEvaluationsAtTheStartAndTheEnd() throws {
        let manifest = try Manifest.load(scratch.write("toy.yaml", """
            name: toy
            data: { dataset: gradnorm_toy, train_size: 32, val_size: 8, test_size: 12, scales: [1, 10] }
            tasks:
              - { name: a, type: regression, outputs: 100, tolerance: 0.1 }
              - { name: b, type: regression, outputs: 100, tolerance: 1 }
            model: { architecture: hard_sharing, trunk: [8] }
            train: { steps: 5, batch_size: 8, optimizer: adam, lr: 0.01, eval_every: 2 }
            seeds: [1]
            policies:
              equal: { script: \(repositoryRoot)/policies/equal.lua }
            baselines: single_task
            """))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run(RunSelection(jobs: 1))
        #expect(outcomes.allSatisfy { $0.status == .finished }, "\(outcomes.compactMap(\.error))")
        for outcome in outcomes {
            let id = outcome.run.id
            #expect(try store.evaluations(ofRun: id).map(\.step) == [0, 2, 4, 5])
            let test = try store.evaluations(ofRun: id, split: .test)
            #expect(test.map(\.step) == [0, 5])
            #expect(test.allSatisfy { $0.loss.count == (outcome.run.definition.taskPositions?.count ?? 2) && $0.loss.allSatisfy(\.isFinite) })
        }
        let baseline = try #require(outcomes.first { $0.run.definition.taskPositions == [1] })
        let rows = try DatabaseQueue(path: store.path).read {
            try Row.fetchAll($0, sql: "SELECT DISTINCT task FROM evaluation WHERE run_id = ? AND split = 'test'", arguments: [baseline.run.id])
        }
        #expect(rows.map { $0["task"] as Int } == [1])
    }
}
