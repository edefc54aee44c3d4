import Auth

extension ConfigValue {
    var boolean: Bool? { if case .boolean(let value) = self { value } else { nil } }
    var integer: Int? { if case .integer(let value) = self { value } else { nil } }
    var duration: Duration? { if case .duration(let value) = self { value } else { nil } }
    var text: String? { if case .text(let value) = self { value } else { nil } }
    var endpoint: EndpointAddress? { if case .endpoint(let value) = self { value } else { nil } }
    var endpoints: [EndpointAddress]? { if case .endpoints(let value) = self { value } else { nil } }
    var strings: [String]? { if case .strings(let value) = self { value } else { nil } }
    var hostPattern: HostPattern? { if case .hostPattern(let value) = self { value } else { nil } }
    var hostPatterns: [HostPattern]? { if case .hostPatterns(let value) = self { value } else { nil } }
    var sticky: StickyKey? { if case .sticky(let value) = self { value } else { nil } }
    var subscribe: SubscribeMode? { if case .subscribe(let value) = self { value } else { nil } }
    var webSocketMode: WebSocketMode? { if case .webSocketMode(let value) = self { value } else { nil } }
    var algorithms: [JWTAlgorithm]? { if case .algorithms(let value) = self { value } else { nil } }
    var tokenSources: [TokenSource]? { if case .tokenSources(let value) = self { value } else { nil } }
    var redis: RedisAddress? { if case .redis(let value) = self { value } else { nil } }
}
