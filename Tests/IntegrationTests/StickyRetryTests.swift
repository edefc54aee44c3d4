import XCTest

/// A backend that died since its last health check: the request is retried on another one.
final class StickyRetryTests: ThreeBackendTestCase {
    func testRequestToDeadBackendNotYetMarkedDownIsRetriedElsewhere() throws {
        // Health checks a minute apart (the default here): only the request's own failure can tell the proxy.
        let proxy = try startProxy(config(sticky: "cookie:sid", workers: 1))
        let key = try XCTUnwrap((0..<200).lazy.map { "retry-\($0)" }.first { key in
            (try? self.servingBackend(headers: [("Cookie", "sid=\(key)")])) == "b2"
        }, "some key expected to map to b2")

        crash("b2")
        XCTAssertTrue(try statusShows("b2", up: true), "b2 expected still up: no health check ran since the crash")
        let response = try proxy.client().get("/", headers: [("Cookie", "sid=\(key)")])
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(["b1", "b3"].contains(response.bodyText), "expected an answer from b1 or b3, got \(response.bodyText.debugDescription)")
    }
}
