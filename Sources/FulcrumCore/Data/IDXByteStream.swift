import CZlib
import Foundation

/// The bytes of an IDX file as its parser sees them: decompressed when the file is gzip'd.
protocol IDXByteStream: AnyObject {
    /// Fills `buffer` from the stream and returns how many bytes it wrote: fewer than
    /// `buffer.count` only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IDXFileError.Problem) -> Int
    /// At most this many bytes remain, so a header's claimed size can be refused before it is allocated.
    var maximumRemainingCount: Int { get }
}

extension IDXByteStream {
    /// Reads to the end of the stream; returns how many bytes there were.
    func drain() throws(IDXFileError.Problem) -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { scratch.deallocate() }
        var total = 0
        while true {
            let count = try read(into: scratch)
            total += count
            if count < scratch.count { return total }
        }
    }
}

/// Opens `path` as gzip when it starts with gzip's magic 1f 8b, else as a plain file (but a name
/// ending in .gz must hold gzip).
func openIDXByteStream(_ path: String) throws(IDXFileError.Problem) -> IDXByteStream {
    let file = try InputFile(path)
    let start = try file.firstBytes(2)
    if start == [0x1F, 0x8B] { return try GzipByteStream(file) }
    if path.hasSuffix(".gz") { throw .notGzip(firstBytes: start) }
    return PlainByteStream(file)
}

/// A file descriptor opened for reading, read in large blocks.
final class InputFile {
    let descriptor: Int32
    /// The file's size when it was opened.
    let size: Int
    /// Bytes read so far through `read(into:)`.
    private(set) var offset = 0

    init(_ path: String) throws(IDXFileError.Problem) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw errno == ENOENT ? .missing : .unreadable(reason: systemErrorMessage()) }
        var status = stat()
        size = fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from the start of the file, without moving `offset`.
    func firstBytes(_ count: Int) throws(IDXFileError.Problem) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        guard read >= 0 else { throw .unreadable(reason: systemErrorMessage()) }  // e.g. a directory
        return Array(bytes.prefix(read))
    }

    /// Fills `buffer`; fewer bytes only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IDXFileError.Problem) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let count = systemRead(descriptor, base + total, min(buffer.count - total, 1 << 30))
            if count > 0 {
                total += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw .unreadable(reason: systemErrorMessage())
            }
        }
        offset += total
        return total
    }
}

/// An IDX file stored as it is.
final class PlainByteStream: IDXByteStream {
    private let file: InputFile

    init(_ file: InputFile) { self.file = file }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IDXFileError.Problem) -> Int {
        try file.read(into: buffer)
    }

    var maximumRemainingCount: Int { max(0, file.size - file.offset) }
}

/// A gzip'd IDX file, inflated by zlib straight into the caller's buffer. Several concatenated gzip
/// members (which gzip itself accepts) read as one stream; anything else after the last is an error.
final class GzipByteStream: IDXByteStream {
    private let file: InputFile
    /// zlib keeps a pointer back to its z_stream, so the stream needs a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false

    init(_ file: InputFile) throws(IDXFileError.Problem) {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: 1 << 20, alignment: 1)
        guard fulcrum_inflate_init_gzip(stream) == Z_OK else { throw .unreadable(reason: "zlib could not start inflating") }
    }

    deinit {
        inflateEnd(stream)  // harmless on a stream that never started
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Deflate expands at most 1032:1; a little more for headers and concatenated members.
    var maximumRemainingCount: Int {
        let (bound, overflow) = file.size.multipliedReportingOverflow(by: 1100)
        return overflow ? Int.max : bound + 4096
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IDXFileError.Problem) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
            let room = min(buffer.count - produced, Int(UInt32.max))
            stream.pointee.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(room)
            let status = inflate(stream, Z_NO_FLUSH)
            produced += room - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                try startNextMemberOrFinish()
            case Z_BUF_ERROR:
                // No progress: zlib wants input. Fine unless the file has none left.
                guard stream.pointee.avail_in == 0 else { throw .corruptGzip(reason: "zlib made no progress") }
                if inputEnded { throw .truncatedGzip }
            case Z_DATA_ERROR:
                throw .corruptGzip(reason: stream.pointee.msg.map { String(cString: $0) } ?? "invalid data")
            case Z_MEM_ERROR:
                throw .unreadable(reason: "zlib ran out of memory")
            default:
                throw .corruptGzip(reason: "zlib status \(status)")
            }
        }
        return produced
    }

    /// Keeps the unconsumed input and reads more of the file after it.
    private func refill() throws(IDXFileError.Problem) {
        let kept = Int(stream.pointee.avail_in)
        if kept > 0, let next = stream.pointee.next_in {
            memmove(input.baseAddress!, next, kept)
        }
        let wanted = input.count - kept
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[kept...]))
        inputEnded = count < wanted
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(kept + count)
    }

    private func startNextMemberOrFinish() throws(IDXFileError.Problem) {
        if stream.pointee.avail_in < 2 && !inputEnded { try refill() }
        let available = Int(stream.pointee.avail_in)
        if available == 0 {
            finished = true
        } else if available >= 2, stream.pointee.next_in[0] == 0x1F, stream.pointee.next_in[1] == 0x8B {
            inflateReset(stream)
        } else {
            throw .trailingGarbage(count: available + max(0, file.size - file.offset))
        }
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemErrorMessage() -> String { String(cString: strerror(errno)) }
