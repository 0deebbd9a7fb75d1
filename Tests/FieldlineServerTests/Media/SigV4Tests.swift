import Foundation
import Testing
@testable import FieldlineServer

@Suite("AWS Signature Version 4")
struct SigV4Tests {
    /// The published "GET Object" example of the S3 documentation (Authenticating Requests:
    /// Using the Authorization Header): the first 10 bytes of test.txt in examplebucket.
    @Test("the S3 documentation's GET Object example gives the published canonical request, string to sign and signature")
    func s3GetObjectExample() throws {
        let signer = SigV4(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let date = try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let signed = signer.sign(SigV4.Request(
            method: "GET", path: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                      ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
            payloadHash: SigV4.emptyPayloadHash), date: date)
        #expect(signed.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("query parameters are encoded and sorted")
    func query() {
        #expect(SigV4.encode("a b/c~") == "a%20b%2Fc~")
        #expect(SigV4.encode("objects/ab/x y", keepSlash: true) == "objects/ab/x%20y")
        let signer = SigV4(accessKeyID: "K", secretAccessKey: "S", region: "eu-west-1")
        let signed = signer.sign(SigV4.Request(method: "POST", path: "/b/k", query: [("uploadId", "x/y"), ("partNumber", "2")],
                                               headers: [("host", "h")], payloadHash: "UNSIGNED-PAYLOAD"), date: Date(timeIntervalSince1970: 0))
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "partNumber=2&uploadId=x%2Fy")
    }
}
