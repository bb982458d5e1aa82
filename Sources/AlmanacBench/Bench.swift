import ArgumentParser

@main
struct AlmanacBench: AsyncParsableCommand {}
