import FlowWork
import Flows
import Foundation
import Testing

@Suite("Step job contract")
struct StepJobTests {
    static let flow = FlowDefinition(id: "welcome", name: "Welcome", trigger: .manual(ManualTrigger()), steps: [
        FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{input.email}}"], subject: "Hi", body: "Hello"))),
    ])

    @Test func givenAScheduledStep_whenItBecomesAJob_thenSubjectsAndIdsFollowTheContract() throws {
        let scheduled = StepScheduled(runId: "run-1", stepId: "mail", kind: .sendEmail, attempt: 2, timeoutSeconds: 60)
        let job = StepJob(scheduled: scheduled, flow: Self.flow, flowVersion: 3)
        #expect(job.subject == "work.send_email")
        #expect(job.runSubject == "runs.welcome.run-1")
        #expect(job.outcomeKey == "run-1/mail/2")
        #expect(job.messageId == "job/run-1/mail/2")
        #expect(job.startedKey == "run-1/mail/2/started")
        #expect(WorkSubjects.deadLetter(.sendEmail) == "work.dead.send_email")
        #expect(job.nextAttempt(notBefore: nil).attempt == 3)
    }

    @Test func givenAJob_whenEncodedTwice_thenTheBytesAreEqualAndDecodeBack() throws {
        let job = StepJob(runId: "run-1", flowId: "welcome", flowVersion: 1, stepId: "mail", attempt: 1, kind: .sendEmail, flow: Self.flow,
                          timeoutSeconds: 60, notBefore: Date(timeIntervalSince1970: 1_800_000_000))
        let bytes = try job.encoded()
        #expect(try job.encoded() == bytes)
        #expect(try StepJob.decode(bytes) == job)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""notBefore":"2027-01-15T08:00:00.000Z""#))
    }

    @Test func givenARetryDueWithinASecond_whenItsJobIsEncoded_thenNotBeforeKeepsTheMilliseconds_andJobsWithoutThemStillDecode() throws {
        let due = Date(timeIntervalSince1970: 1_800_000_000.75)
        let job = StepJob(runId: "run-1", flowId: "welcome", flowVersion: 1, stepId: "mail", attempt: 2, kind: .sendEmail, flow: Self.flow,
                          timeoutSeconds: 60, notBefore: due)
        let bytes = try job.encoded()
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""notBefore":"2027-01-15T08:00:00.750Z""#))
        #expect(try StepJob.decode(bytes).notBefore == due, "not a second early")
        let older = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "08:00:00.750Z", with: "08:00:01Z")
        #expect(try StepJob.decode(Array(older.utf8)).notBefore == Date(timeIntervalSince1970: 1_800_000_001))
    }

    @Test func givenAJobForAStepTheFlowDoesNotHave_whenDecoded_thenItIsRefusedWithTheReason() throws {
        var job = StepJob(runId: "run-1", flowId: "welcome", flowVersion: 1, stepId: "mail", attempt: 1, kind: .sendEmail, flow: Self.flow, timeoutSeconds: 60)
        job.stepId = "ghost"
        #expect(throws: StepJobError.malformed("flow 'welcome' v1 has no step 'ghost'")) { try StepJob.decode(try job.encoded()) }
        #expect(throws: StepJobError.self) { try StepJob.decode(Array("{}".utf8)) }
    }
}
