import FuzzDriver

// The input is fed twice: whole, and split at a point the first byte chooses; both must give the same events,
// since the network splits a stream anywhere.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    var whole = SSEParser()
    let expected = whole.feed(bytes) + whole.finish()
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var split = SSEParser()
    let events = split.feed(bytes[..<cut]) + split.feed(bytes[cut...]) + split.finish()
    precondition(events == expected, "events depend on where the stream was split")
    return 0
}

runFuzzer(fuzzSSE)
