import FuzzDriver
import Foundation
import IngestParsers

let root = try IngestFuzzing.makeScratchAtlas()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntryMarkdown(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = IngestFuzzing.parseEntryMarkdown(Data(buffer: fuzzInput(data, size)), root: root)
    return 0
}

runFuzzer(fuzzEntryMarkdown)
