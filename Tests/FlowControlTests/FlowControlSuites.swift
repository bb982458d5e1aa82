import Testing

/// The flow-control suites that start servers and processes run one test at a time: each starts
/// its own nats-server, database and services, and several at once on a small machine slow the
/// whole test run enough to upset other suites' timing.
@Suite("Flow control", .serialized)
enum FlowControlSuites {}
