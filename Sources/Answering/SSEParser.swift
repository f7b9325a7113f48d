/// One server-sent event: its `data:` lines joined by newlines.
public struct SSEEvent: Sendable, Hashable {
    public var event: String?
    public var data: String
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An incremental parser for `text/event-stream` (the WHATWG rules): bytes go in as they arrive, split
/// anywhere — even inside a UTF-8 character or between `\r` and `\n` — and whole events come out.
/// Lines end in `\n`, `\r\n` or `\r`; `:` starts a comment; a blank line ends an event; several `data:`
/// lines make one multi-line event; an event with no data is not dispatched.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    /// The previous chunk ended in `\r`: a `\n` opening the next one belongs to that line end.
    private var afterCR = false
    private var dataLines: [String] = []
    private var eventName: String?
    private var eventID: String?

    public init() {}

    /// The events completed by these bytes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                afterCR = true
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// At the end of the stream: an event whose closing blank line never came is still delivered, since
    /// some servers close right after the last `data:` line.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty, let event = endLine() { events.append(event) }
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": eventName = String(value)
        case "id" where !value.contains("\0"): eventID = String(value)
        default: break  // "retry" and unknown fields: nothing for a client that does not reconnect
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            dataLines.removeAll()
            eventName = nil
        }
        guard !dataLines.isEmpty else { return nil }
        return SSEEvent(event: eventName, data: dataLines.joined(separator: "\n"), id: eventID)
    }
}
