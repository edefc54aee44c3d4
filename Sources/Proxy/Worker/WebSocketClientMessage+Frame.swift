import GRIP
import WebSocket

extension WebSocketClientMessage {
    /// The frame that carries this message to the client.
    var frame: [UInt8] {
        let opcode: Opcode = switch kind {
        case .text: .text
        case .binary: .binary
        case .ping: .ping
        case .pong: .pong
        }
        return FrameEncoder.frame(opcode, payload: content)
    }
}
