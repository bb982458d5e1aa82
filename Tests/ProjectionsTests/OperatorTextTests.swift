@testable import Projections
import Testing

@Suite("Operator text")
struct OperatorTextTests {
    @Test("Given a rebuild half way, when its progress is shown, then the line has a bar, the position, the rate and the ETA")
    func givenHalfWayWhenShownThenBarRateAndETA() {
        let progress = ProjectionRebuild.Progress(applied: 500_000, sequence: 500_000, targetSequence: 1_000_000,
                                                  eventsPerSecond: 84_210.4, remainingSeconds: 125.2)
        #expect(progress.line == "[##########----------]  50%  #500,000/1,000,000  84,210 events/s  ETA 2m06s")
    }

    @Test("Given projections, when lag is shown, then each has its row with the active instance or its poison")
    func givenProjectionsWhenLagShownThenRows() {
        let table = ProjectionOperations.lagTable([
            .init(projection: "counts", stream: "BOOKINGS", streamLastSequence: 120, checkpoint: 100, events: 20, seconds: 1.25,
                  activeInstance: "host-1", poison: nil),
            .init(projection: "mail", stream: "RUNS", streamLastSequence: 7, checkpoint: 6, events: 1, seconds: 0,
                  activeInstance: nil, poison: "stopped at #7 (run.failed): bad"),
        ])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("PROJECTION"))
        #expect(lines[1].contains("counts") && lines[1].contains("host-1") && lines[1].contains("1.2") && lines[1].hasSuffix("ok"))
        #expect(lines[2].hasSuffix("stopped at #7 (run.failed): bad") && lines[2].contains("none"))
    }
}
