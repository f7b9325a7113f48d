import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole weights file. Pages are loaded on first touch, so opening a
/// 90 MB checkpoint costs nothing until its tensors are read.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never changes after `init`; it is unmapped
/// only in `deinit`, when no other reference to it exists.
final class MappedFile: @unchecked Sendable {
    let url: URL
    let bytes: UnsafeRawBufferPointer

    /// What a user calls the file in an error message.
    var name: String { url.path }

    init(_ url: URL) throws(ModelFileError) {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw ModelFileError(file: url.path, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ModelFileError(file: url.path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            throw ModelFileError(file: url.path, "the file is empty")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ModelFileError(file: url.path, "cannot map: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

/// A weights or vocabulary file that is missing, truncated, corrupt or does not fit the model.
/// The message names the file and what is wrong with it.
public struct ModelFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problem: String

    public init(file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "reading model file '\(file)': \(problem)" }
}
