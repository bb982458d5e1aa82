import ArgumentParser

@main
struct Almanac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Event-sourced booking and workflow automation over NATS JetStream."
    )
}
