import Auth
import TOMLKit

/// Turns a parsed document into a `ProxyConfig`, logging every problem, including those that
/// involve several keys (a route naming a missing backend, max_uri_bytes above max_header_bytes).
struct ConfigBuilder {
    let problems: ProblemLog

    func build(_ document: TOMLTable) -> ProxyConfig {
        let root = TableReader(document, section: .root, location: Location(), problems: problems)
        let server = serverConfig(root.table(.server))
        let timeouts = timeoutsConfig(root.table(.timeouts))
        let control = controlConfig(root.table(.control))
        let grip = GripConfig(signingKey: root.table(.grip).text("signing_key"))
        let channels = channelsConfig(root.table(.channels))
        let cors = corsConfig(root.table(.cors), over: nil)
        let websocketTable = root.table(.websocket)
        let websocket = WebSocketConfig(maxMessageBytes: websocketTable.integer("max_message_bytes"),
                                        pingInterval: websocketTable.duration("ping_interval"),
                                        tunnelIdle: websocketTable.duration("tunnel_idle"))
        let cluster = clusterConfig(root.table(.cluster))
        let backendEntries = root.entries(.backend)
        let backends = backendEntries.compactMap(backendConfig)
        let backendNames = backendEntries.map { $0.table["name"]?.string }
        let authEntries = root.entries(.auth)
        let auths = authEntries.compactMap { authConfig($0, backendNames: backendNames) }
        let authNames = authEntries.map { $0.table["name"]?.string }
        let routeEntries = root.entries(.route)
        let routes = routeEntries.compactMap { routeConfig($0, backendNames: backendNames, authNames: authNames, cors: cors) }
        reportDuplicateNames(backendEntries, of: .backend)
        reportDuplicateNames(authEntries, of: .auth)
        reportSharedListenAddresses(server: server, control: control)
        if routeEntries.isEmpty {
            problems.add("at least one [[route]] is required")
        }
        return ProxyConfig(server: server, timeouts: timeouts, control: control, grip: grip, channels: channels,
                           cors: cors, websocket: websocket, backends: backends, routes: routes, auths: auths, cluster: cluster)
    }

    private func serverConfig(_ reader: TableReader) -> ServerConfig {
        let maxHeaderBytes = reader.integer("max_header_bytes")
        let maxURIBytes = reader.integer("max_uri_bytes")
        if maxURIBytes > maxHeaderBytes {
            reader.report("max_uri_bytes", "expects at most server.max_header_bytes, \(maxHeaderBytes) (got \(maxURIBytes))",
                          comparedWith: "max_header_bytes")
        }
        return ServerConfig(listen: reader.endpoints("listen"), workers: reader.integer("workers"),
                            maxConnections: reader.integer("max_connections"), maxHeaderBytes: maxHeaderBytes,
                            maxURIBytes: maxURIBytes, maxHeaders: reader.integer("max_headers"),
                            maxBodyBytes: reader.integer("max_body_bytes"),
                            allowsUnderscoresInHeaders: reader.boolean("allow_underscores_in_headers"),
                            tls: reader.presentTable(.serverTLS).flatMap(tlsConfig))
    }

    private func tlsConfig(_ reader: TableReader) -> TLSListenConfig? {
        let listen = reader.optionalEndpoints("listen")
        let certificate = reader.optionalText("certificate")
        let privateKey = reader.optionalText("private_key")
        let minVersion = TLSVersion(rawValue: reader.text("min_version")) ?? .tls12
        let sniEntries = reader.entries(.serverTLSSNI)
        let sni = sniEntries.compactMap { entry in
            sniConfig(TableReader(entry.table, section: .serverTLSSNI,
                                  location: Location(entry: "server.tls.sni[\(entry.index)]",
                                                     path: reader.location.path.appending("sni").appending(index: entry.index)),
                                  problems: problems))
        }
        guard let listen, let certificate, let privateKey, sni.count == sniEntries.count else { return nil }
        return TLSListenConfig(listen: listen, certificatePath: certificate, privateKeyPath: privateKey,
                               minVersion: minVersion, sni: sni)
    }

    private func sniConfig(_ reader: TableReader) -> SNICertificateConfig? {
        let names = reader.optionalHostPatterns("server_names")
        let certificate = reader.optionalText("certificate")
        let privateKey = reader.optionalText("private_key")
        guard let names, let certificate, let privateKey else { return nil }
        return SNICertificateConfig(serverNames: names, certificatePath: certificate, privateKeyPath: privateKey)
    }

    private func timeoutsConfig(_ reader: TableReader) -> TimeoutsConfig {
        TimeoutsConfig(clientHeader: reader.duration("client_header"), clientIdle: reader.duration("client_idle"),
                       hold: reader.duration("hold"), streamKeepalive: reader.duration("stream_keepalive"),
                       upstreamConnect: reader.duration("upstream_connect"),
                       upstreamResponse: reader.duration("upstream_response"),
                       upstreamIdle: reader.duration("upstream_idle"), queue: reader.duration("queue"),
                       shutdownDrain: reader.duration("shutdown_drain"))
    }

    private func controlConfig(_ reader: TableReader) -> ControlConfig {
        ControlConfig(listen: reader.endpoint("listen"), publishToken: reader.optionalText("publish_token"),
                      maxConnections: reader.integer("max_connections"), maxPublishBytes: reader.integer("max_publish_bytes"))
    }

    private func channelsConfig(_ reader: TableReader) -> ChannelsConfig {
        ChannelsConfig(historyLength: reader.integer("history_length"), historyTTL: reader.duration("history_ttl"),
                       subscriberBufferBytes: reader.integer("subscriber_buffer_bytes"))
    }

    private func clusterConfig(_ reader: TableReader) -> ClusterConfig {
        ClusterConfig(redis: reader.optionalRedis("redis"), channelPrefix: reader.text("channel_prefix"))
    }

    private func backendConfig(_ entry: (index: Int, table: TOMLTable)) -> BackendConfig? {
        let reader = TableReader(entry.table, section: .backend, location: entryLocation(.backend, entry), problems: problems)
        let name = reader.optionalText("name")
        let address = reader.optionalEndpoint("address")
        let maxConnections = reader.integer("max_connections")
        let weight = reader.integer("weight")
        let health = healthConfig(reader.table(.backendHealth))
        guard let name, let address else { return nil }
        return BackendConfig(name: name, address: address, maxConnections: maxConnections, weight: weight, health: health)
    }

    private func healthConfig(_ reader: TableReader) -> HealthCheckConfig {
        let interval = reader.duration("interval")
        let timeout = reader.duration("timeout")
        if timeout > interval {
            reader.report("timeout", "expects at most \(reader.location.keyPrefix)interval, \(reader.written("interval")) (got \(reader.written("timeout")))",
                          comparedWith: "interval")
        }
        return HealthCheckConfig(path: reader.text("path"), interval: interval, timeout: timeout,
                                 rise: reader.integer("rise"), fall: reader.integer("fall"))
    }

    /// `backendNames` holds each `[[backend]]`'s name as written (nil if not a string), in file order,
    /// so a route's indexes match `ProxyConfig.backends` whenever the file is valid.
    private func routeConfig(_ entry: (index: Int, table: TOMLTable), backendNames: [String?], authNames: [String?],
                             cors: CORSConfig) -> RouteConfig? {
        let location = Location(entry: "route[\(entry.index)]", path: entryPath(.route, entry.index))
        let reader = TableReader(entry.table, section: .route, location: location, problems: problems)
        let host = reader.optionalHostPattern("host")
        let pathPrefix = reader.optionalText("path_prefix")
        let sticky = reader.sticky("sticky")
        let subscribe = reader.optionalSubscribe("subscribe")
        let webSocket = reader.webSocketMode("websocket")
        let writtenNames = reader.optionalStrings("backends")
        let namesAreInvalid = writtenNames == nil && reader.table["backends"] != nil
        let names = writtenNames ?? []
        if subscribe != nil {
            if !names.isEmpty {
                reader.report("backends", "must be empty when subscribe is set (got \(reader.written("backends")))")
            }
            if webSocket == .grip {
                reader.report("websocket", "must not be \"grip\" when subscribe is set: there is no backend to speak to")
            }
            if sticky != .none {
                reader.report("sticky", "must be \"none\" when subscribe is set: no backend is picked (got \(reader.written("sticky")))")
            }
        } else if names.isEmpty && !namesAreInvalid {
            reader.report("backends", "is required unless subscribe is set: name at least one [[backend]]")
        }
        var indexes: [Int] = []
        for name in names {
            guard let index = index(of: name, among: backendNames, of: .backend, key: "backends", reader) else { continue }
            if indexes.contains(index) { reader.report("backends", "names \(quoted(name)) twice") }
            indexes.append(index)
        }
        let auth = reader.optionalText("auth").flatMap { index(of: $0, among: authNames, of: .auth, key: "auth", reader) }
        let routeCORS = self.routeCORS(reader, over: cors)
        guard let pathPrefix else { return nil }
        return RouteConfig(host: host, pathPrefix: pathPrefix, backends: indexes, sticky: sticky, subscribe: subscribe,
                           webSocket: webSocket, auth: auth,
                           cors: routeCORS.isEnabled ? routeCORS : nil)
    }

    /// `[route.cors]` over `[cors]`; no origins when the route says `cors = false`.
    private func routeCORS(_ reader: TableReader, over base: CORSConfig) -> CORSConfig {
        if let written = reader.table["cors"], written.table == nil {
            if written.bool != false {
                reader.report("cors", "expects a [route.cors] table or false (got \(reader.written("cors")))")
            }
            var disabled = base
            disabled.allowOrigins = []
            return disabled
        }
        return reader.presentTable(.routeCORS).map { corsConfig($0, over: base) } ?? base
    }

    /// `[cors]` itself (`base` nil), or a route's table, whose absent keys are `base`'s.
    private func corsConfig(_ reader: TableReader, over base: CORSConfig?) -> CORSConfig {
        func pick<Value>(_ name: String, _ field: KeyPath<CORSConfig, Value>, _ read: (ConfigValue) -> Value?) -> Value {
            let value = base == nil ? reader.value(name) : reader.optionalValue(name)
            return value.flatMap(read) ?? base![keyPath: field]
        }
        let config = CORSConfig(allowOrigins: pick("allow_origins", \.allowOrigins, \.strings),
                                allowCredentials: pick("allow_credentials", \.allowCredentials, \.boolean),
                                allowHeaders: pick("allow_headers", \.allowHeaders, \.strings),
                                exposeHeaders: pick("expose_headers", \.exposeHeaders, \.strings),
                                maxAge: pick("max_age", \.maxAge, \.duration))
        if config.allowOrigins.contains("*") && config.allowCredentials {
            // Browsers refuse credentials with a wildcard; echoing any origin instead would hand them to every site.
            reader.report("allow_origins", "cannot be [\"*\"] with allow_credentials = true: list the origins",
                          comparedWith: "allow_credentials")
        }
        return config
    }

    /// A `[[auth]]`. A `jwt` one's key is read (`key_file`) and checked against its algorithms now,
    /// so a key that cannot verify anything fails `--check-config` rather than every request.
    private func authConfig(_ entry: (index: Int, table: TOMLTable), backendNames: [String?]) -> AuthConfig? {
        let reader = TableReader(entry.table, section: .auth, location: entryLocation(.auth, entry), problems: problems)
        let name = reader.optionalText("name")
        let method: AuthMethod?
        switch reader.optionalText("type") {
        case "jwt": method = jwtMethod(reader)
        case "request": method = requestMethod(reader, backendNames: backendNames)
        default: method = nil
        }
        guard let name, let method else { return nil }
        return AuthConfig(name: name, method: method)
    }

    private static let jwtOnlyKeys = ["algorithms", "key", "key_file", "issuer", "audience", "channels_claim", "token_from", "leeway"]
    private static let requestOnlyKeys = ["backend", "path"]

    private func jwtMethod(_ reader: TableReader) -> AuthMethod? {
        reportKeys(Self.requestOnlyKeys, in: reader, notApplyingTo: "jwt")
        if reader.table["algorithms"] == nil { reader.report("algorithms", "is required for type = \"jwt\"", comparedWith: "type") }
        let algorithms = reader.optionalAlgorithms("algorithms")
        let secrets = reader.optionalStrings("key")
        let keyFiles = reader.optionalStrings("key_file")
        let issuer = reader.optionalText("issuer")
        let audience = reader.optionalText("audience")
        let channelsClaim = reader.text("channels_claim")
        let tokenFrom = reader.tokenSources("token_from")
        let leeway = reader.duration("leeway")
        let keyNamesWritten = ["key", "key_file"].filter { reader.table[$0] != nil }
        if keyNamesWritten.count == 2 {
            reader.report("key_file", "cannot be set together with key: key is an HMAC secret, key_file a public key")
        } else if keyNamesWritten.isEmpty {
            reader.report("key", "or key_file is required: key for HS256, HS384, HS512; key_file for RS256, ES256",
                          comparedWith: "algorithms")
        }
        var keys: [JWTPolicy.KeyMaterial]?
        if let secrets {
            keys = secrets.map(JWTPolicy.KeyMaterial.secret)
        } else if let keyFiles {
            do throws(ReadFailure) {
                keys = try keyFiles.map { path throws(ReadFailure) in .publicKeyPEM(String(decoding: try readFile(path), as: UTF8.self)) }
            } catch {
                reader.report("key_file", "cannot be read: \(error.reason)")
            }
        }
        guard let algorithms, let keys, keyNamesWritten.count == 1 else { return nil }
        let policy = JWTPolicy(algorithms: algorithms, keys: keys, issuer: issuer, audience: audience,
                               channelsClaim: channelsClaim, leewaySeconds: leeway.components.seconds)
        do {
            _ = try JWTVerifier(policy: policy)
        } catch {
            reader.report(keyNamesWritten[0], "cannot verify \(algorithms.map(\.rawValue).joined(separator: ", ")): \(error.reason)",
                          comparedWith: "algorithms")
            return nil
        }
        return .jwt(tokenFrom: tokenFrom, policy: policy)
    }

    private func requestMethod(_ reader: TableReader, backendNames: [String?]) -> AuthMethod? {
        reportKeys(Self.jwtOnlyKeys, in: reader, notApplyingTo: "request")
        for key in Self.requestOnlyKeys where reader.table[key] == nil {
            reader.report(key, "is required for type = \"request\"", comparedWith: "type")
        }
        guard let backendName = reader.optionalText("backend"), let path = reader.optionalText("path") else { return nil }
        guard let backend = index(of: backendName, among: backendNames, of: .backend, key: "backend", reader) else { return nil }
        return .request(backend: backend, path: path)
    }

    /// Where `name` is among the entries of `section`; a name none declares is reported at `key`, with the closest known one.
    private func index(of name: String, among names: [String?], of section: ConfigSection, key: String,
                       _ reader: TableReader) -> Int? {
        if let index = names.firstIndex(of: name) { return index }
        let suggestion = closestMatch(to: name, among: names.compactMap { $0 }).map { ", did you mean \(quoted($0))?" } ?? ""
        reader.report(key, "names \(quoted(name)), which no [[\(section.rawValue)]] declares\(suggestion)")
        return nil
    }

    /// Keys of the other type are mistakes, not options: a `key` on a `request` auth would check nothing.
    private func reportKeys(_ keys: [String], in reader: TableReader, notApplyingTo type: String) {
        for key in keys where reader.table[key] != nil {
            reader.report(key, "does not apply to type = \"\(type)\"", comparedWith: "type")
        }
    }

    /// `backend[1] "app2"`: the entry's index and, when it has one, its name.
    private func entryLocation(_ section: ConfigSection, _ entry: (index: Int, table: TOMLTable)) -> Location {
        let name = entry.table["name"]?.string.map { " " + quoted($0) } ?? ""
        return Location(entry: "\(section.rawValue)[\(entry.index)]\(name)", path: entryPath(section, entry.index))
    }

    private func entryPath(_ section: ConfigSection, _ index: Int) -> TOMLPath {
        TOMLPath.root.appending(section.nameInParent).appending(index: index)
    }

    private func reportDuplicateNames(_ entries: [(index: Int, table: TOMLTable)], of section: ConfigSection) {
        var firstIndexByName: [String: Int] = [:]
        for entry in entries {
            guard let name = entry.table["name"]?.string else { continue }
            if let first = firstIndexByName[name] {
                problems.add("\(entryLocation(section, entry).describe("name")) is already the name of \(section.rawValue)[\(first)]",
                             at: [entryPath(section, entry.index).appending("name")])
            } else {
                firstIndexByName[name] = entry.index
            }
        }
    }

    /// Two listeners on one address would fail at bind time; say so before anything starts.
    private func reportSharedListenAddresses(server: ServerConfig, control: ControlConfig) {
        var listeners = server.listen.map { (["server", "listen"], $0) }
        listeners += (server.tls?.listen ?? []).map { (["server", "tls", "listen"], $0) }
        listeners.append((["control", "listen"], control.listen))
        for (position, (keys, address)) in listeners.enumerated() {
            if let earlier = listeners[..<position].first(where: { $0.1 == address }) {
                let key = keys.joined(separator: "."), earlierKey = earlier.0.joined(separator: ".")
                // The earlier listener's line when this one is a default the file does not write.
                problems.add("\(key) expects an address no other listener uses (got \(quoted(address.description)), which \(earlierKey) uses too)",
                             at: [TOMLPath(keys: keys), TOMLPath(keys: earlier.0)])
            }
        }
    }
}
