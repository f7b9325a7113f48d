import NIOCore

/// Counts TCP connections for `/metrics`: Hummingbird puts one in every accepted connection's pipeline,
/// so it is added when the connection is set up and removed when it closes.
final class ConnectionCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let metrics: ServerMetrics
    private var counted = false

    init(metrics: ServerMetrics) { self.metrics = metrics }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        metrics.connectionOpened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted { metrics.connectionClosed() }
        counted = false
    }
}
