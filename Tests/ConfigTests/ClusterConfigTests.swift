import XCTest
@testable import Config

final class ClusterConfigTests: XCTestCase {
    func testRedisAddressForms() {
        let cases: [(String, RedisAddress)] = [
            ("redis://127.0.0.1:6380/2", RedisAddress(target: .tcp(host: "127.0.0.1", port: 6380), database: 2)),
            ("redis://localhost", RedisAddress(target: .tcp(host: "localhost", port: 6379))),
            ("redis://[::1]:7000", RedisAddress(target: .tcp(host: "::1", port: 7000))),
            ("redis://[::1]/3", RedisAddress(target: .tcp(host: "::1", port: 6379), database: 3)),
            ("redis://:s3cret@db.example.org:6379/0",
             RedisAddress(target: .tcp(host: "db.example.org", port: 6379), password: "s3cret")),
            ("redis://app:p@ss:w/rd@10.0.0.5", RedisAddress(target: .tcp(host: "10.0.0.5", port: 6379), user: "app", password: "p@ss:w/rd")),
            ("redis://onlypassword@host:1", RedisAddress(target: .tcp(host: "host", port: 1), password: "onlypassword")),
            ("unix:/run/redis/redis.sock", RedisAddress(target: .unix(path: "/run/redis/redis.sock"))),
            ("unix:/tmp/r.sock?db=4", RedisAddress(target: .unix(path: "/tmp/r.sock"), database: 4)),
            ("unix://app:pw@/tmp/r.sock?db=1", RedisAddress(target: .unix(path: "/tmp/r.sock"), user: "app", password: "pw", database: 1)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(RedisAddress(parsing: text), expected, text)
        }
    }

    func testRedisAddressRefusals() {
        for text in ["", "127.0.0.1:6379", "rediss://host", "redis://", "redis://host:0", "redis://host:99999",
                     "redis://host/db", "redis://host/123456", "redis://::1:6379", "unix:", "unix:relative.sock",
                     "unix:/tmp/r.sock?database=1", "http://host"] {
            XCTAssertNil(RedisAddress(parsing: text), text)
        }
    }

    func testClusterIsOffByDefault() throws {
        let parsed = try XCTUnwrap(config(of: validBase))
        XCTAssertEqual(parsed.cluster, ClusterConfig(redis: nil, channelPrefix: "holdfast:"))
    }

    func testClusterTable() throws {
        let parsed = try XCTUnwrap(config(of: validBase + """
            [cluster]
            redis = "redis://:pw@127.0.0.1:6390/1"
            channel_prefix = "app1:"
            """))
        XCTAssertEqual(parsed.cluster, ClusterConfig(redis: RedisAddress(target: .tcp(host: "127.0.0.1", port: 6390), password: "pw", database: 1),
                                                     channelPrefix: "app1:"))
    }

    func testBadClusterKeysNameTheirLine() {
        let found = problems(of: validBase + """
            [cluster]
            redis = "127.0.0.1:6379"
            channel_prefix = ""
            redis_url = "x"
            """)
        XCTAssertEqual(Set(found), [
            #"proxy.conf:9: cluster.redis expects a Redis address like "redis://127.0.0.1:6379/0", "redis://:password@host:6379" or "unix:/run/redis.sock" (got "127.0.0.1:6379")"#,
            #"proxy.conf:10: cluster.channel_prefix expects a non-empty string (got "")"#,
            "proxy.conf:11: unknown key cluster.redis_url",
        ])
    }
}
