import CTLSHeap
import XCTest

/// The heap OpenSSL gets in TLS workers, exercised directly (it is not installed into OpenSSL here).
final class TLSHeapTests: XCTestCase {
    override func tearDown() {
        holdfast_tls_heap_trim()
    }

    func testBlocksAreAlignedDistinctAndKeepWhatIsWrittenInThem() throws {
        let sizes = [1, 15, 16, 17, 100, 500, 1000, 4000, 4080, 4081, 20000, 32752, 32753, 70000]
        let blocks = try sizes.map { try XCTUnwrap(holdfast_tls_heap_allocate($0)) }
        for (index, (block, size)) in zip(blocks, sizes).enumerated() {
            XCTAssertEqual(Int(bitPattern: block) % 16, 0)
            memset(block, Int32(index + 1), size)
        }
        for (index, (block, size)) in zip(blocks, sizes).enumerated() {
            let bytes = UnsafeRawBufferPointer(start: block, count: size)
            XCTAssertTrue(bytes.allSatisfy { $0 == UInt8(index + 1) }, "block of \(size) bytes")
        }
        blocks.forEach { holdfast_tls_heap_free($0) }
        holdfast_tls_heap_trim()
        XCTAssertEqual(holdfast_tls_heap_mapped_bytes(), 0)
    }

    func testReallocationKeepsTheContentWhileGrowingIntoOtherClassesAndOwnMapsAndShrinking() throws {
        var block = try XCTUnwrap(holdfast_tls_heap_allocate(10))
        var written = 10
        memset(block, 0x5a, written)
        for size in [12, 40, 300, 3000, 9000, 40000, 100_000, 50, 8] {
            block = try XCTUnwrap(holdfast_tls_heap_reallocate(block, size))
            let kept = min(written, size)
            XCTAssertTrue(UnsafeRawBufferPointer(start: block, count: kept).allSatisfy { $0 == 0x5a }, "after reallocating to \(size)")
            memset(block, 0x5a, size)
            written = size
        }
        XCTAssertNil(holdfast_tls_heap_reallocate(block, 0), "reallocating to nothing frees")
        holdfast_tls_heap_trim()
        XCTAssertEqual(holdfast_tls_heap_mapped_bytes(), 0)
    }

    func testReallocatingWithinTheSameClassKeepsTheBlock() throws {
        let block = try XCTUnwrap(holdfast_tls_heap_allocate(100))
        XCTAssertEqual(holdfast_tls_heap_reallocate(block, 110), block)
        holdfast_tls_heap_free(block)
    }

    func testNothingIsAllocatedForZeroBytesAndFreeingNothingIsHarmless() {
        XCTAssertNil(holdfast_tls_heap_allocate(0))
        holdfast_tls_heap_free(nil)
        XCTAssertNotNil(holdfast_tls_heap_reallocate(nil, 5).map { holdfast_tls_heap_free($0) })
    }

    func testEmptiedSlabsBeyondTwoSparesPerClassAreUnmappedAtOnceAndTheSparesAtTrim() throws {
        let slab = 32 * 1024
        // 64-byte blocks (48 asked + 16 of header): some 500 per slab, so 2,000 fill four slabs.
        let blocks = try (0..<2000).map { _ in try XCTUnwrap(holdfast_tls_heap_allocate(48)) }
        XCTAssertGreaterThanOrEqual(holdfast_tls_heap_mapped_bytes(), 4 * slab)
        blocks.forEach { holdfast_tls_heap_free($0) }
        XCTAssertEqual(holdfast_tls_heap_mapped_bytes(), 2 * slab, "two empty slabs kept for the next handshakes")
        let reused = try XCTUnwrap(holdfast_tls_heap_allocate(48))
        XCTAssertEqual(holdfast_tls_heap_mapped_bytes(), 2 * slab, "a spare serves before a new slab is mapped")
        holdfast_tls_heap_free(reused)
        holdfast_tls_heap_trim()
        XCTAssertEqual(holdfast_tls_heap_mapped_bytes(), 0)
    }

    func testOneLongLivedBlockPinsOnlyItsOwnSlab() throws {
        let slab = 32 * 1024
        let passing = try (0..<5000).map { _ in try XCTUnwrap(holdfast_tls_heap_allocate(200)) }
        let kept = try XCTUnwrap(holdfast_tls_heap_allocate(200))
        passing.forEach { holdfast_tls_heap_free($0) }
        holdfast_tls_heap_trim()
        XCTAssertEqual(holdfast_tls_heap_mapped_bytes(), slab)
        holdfast_tls_heap_free(kept)
    }
}
