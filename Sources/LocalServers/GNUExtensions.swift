#if canImport(Glibc)
import Glibc

/// glibc functions that Swift does not import (their declarations need _GNU_SOURCE), looked up
/// at run time. All exist in glibc ≥ 2.34 (Debian 12 has 2.36); when missing we fall back.
enum GNUExtensions {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    nonisolated(unsafe) private static let process = dlopen(nil, RTLD_NOW)  // the main program's handle; never closed

    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let pipe2: Pipe2? = symbol("pipe2")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let address = dlsym(process, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
#endif
