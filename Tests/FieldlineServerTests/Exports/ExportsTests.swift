import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Exports: jobs and proofs as CSV and JSON lines")
struct ExportsTests {
    /// The CSV records of `text` (RFC 4180: quoted fields may hold commas, quotes and line breaks).
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field); field = ""
            } else if character == "\r\n" || character == "\n" {
                record.append(field); field = ""
                records.append(record); record = []
            } else {
                field.append(character)
            }
        }
        return records
    }

    /// Each record as a dictionary by the header's names.
    static func rows(_ text: String) -> [[String: String]] {
        let all = records(text)
        guard let header = all.first else { return [] }
        return all.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    @Test("jobs of a period, in id order, as CSV (exact coordinates, quoted text) and as JSON lines equal to the API's jobs; the same question gives the same bytes; filters and bad input")
    func jobs() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            var ids: [String] = []
            for (index, title) in ["Tow, then \"park\"", "=SUM(A1)", "Jump start"].enumerated() {
                let body = #"{"order_number":"EX-\#(index)","title":"\#(title.replacingOccurrences(of: "\"", with: "\\\""))","latitude":40.4168123,"longitude":-3.7038456,"required_tags":["tow","heavy"]}"#
                ids.append(try #require(try await admin.post("/v1/jobs", body).json["id"].string))
            }
            #expect(try await admin.patch("/v1/jobs/\(ids[1])", #"{"status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#).status == .ok)
            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["jobs:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: erpKey)
            let today = RFC3339.format(Date()).prefix(10)
            let period = "from=\(today)&to=\(today)"

            let csv = try await erp.get("/v1/exports/jobs?\(period)")
            #expect(csv.status == .ok, "\(csv.text)")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"jobs-") == true)
            let rows = Self.rows(csv.text)
            #expect(rows.map { $0["id"] } == ids, "id order, which is creation order")
            #expect(rows[0]["title"] == "Tow, then \"park\"")
            #expect(rows[1]["title"] == "'=SUM(A1)", "a formula is defused")
            #expect(rows[1]["status"] == "assigned")
            #expect(rows[1]["crew_code"] == "GN-7")
            #expect(rows[1]["organization_id"] == network.organization)
            #expect(rows[0]["latitude"] == "40.4168123" && rows[0]["longitude"] == "-3.7038456")
            #expect(rows[0]["required_tags"] == "tow heavy")
            #expect(csv.text.hasPrefix("id,order_number,title,"))
            #expect(try await erp.get("/v1/exports/jobs?\(period)").text == csv.text, "the same question, the same file")

            let lines = try await erp.get("/v1/exports/jobs?\(period)&format=jsonl")
            #expect(lines.headers[.contentType] == "application/jsonl; charset=utf-8")
            let objects = lines.text.split(separator: "\n").map { try? JSONDecoder().decode(JSON.self, from: Data($0.utf8)) }
            #expect(objects.count == 3)
            for (object, id) in zip(objects, ids) {
                #expect(object == (try await admin.get("/v1/jobs/\(id)").json), "a line is the job as the API answers it")
            }

            // Filters, and a period that holds nothing (a header only).
            #expect(Self.rows(try await erp.get("/v1/exports/jobs?\(period)&status=assigned").text).map { $0["id"] } == [ids[1]])
            #expect(Self.rows(try await erp.get("/v1/exports/jobs?\(period)&crew_code=gn-7").text).map { $0["id"] } == [ids[1]])
            #expect(Self.rows(try await erp.get("/v1/exports/jobs?\(period)&by=updated").text).count == 3)
            let empty = try await erp.get("/v1/exports/jobs?from=2020-01-01&to=2020-01-31")
            #expect(empty.status == .ok)
            #expect(Self.records(empty.text).count == 1)
            #expect(try await erp.get("/v1/exports/jobs?from=2020-01-01&to=2020-01-31&format=jsonl").text.isEmpty)

            #expect(try await erp.get("/v1/exports/jobs?to=\(today)").json["error"]["field"].string == "from")
            #expect(try await erp.get("/v1/exports/jobs?from=\(today)").json["error"]["field"].string == "to")
            #expect(try await erp.get("/v1/exports/jobs?\(period)&by=closed").json["error"]["field"].string == "by")
            #expect(try await erp.get("/v1/exports/jobs?\(period)&format=xml").json["error"]["field"].string == "format")
            #expect(try await erp.get("/v1/exports/proofs?\(period)").status == .forbidden, "proofs need proofs:read")
            // Another tenant's export is its own.
            let other = APICaller(client, try await fixtures.tenant("globex"))
            #expect(Self.rows(try await other.get("/v1/exports/jobs?\(period)").text).isEmpty)
        }
    }

    @Test("proofs of a period with their order numbers and files: the links download the same bytes (signed ones without a login)")
    func proofs() async throws {
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "EXP-1")
            let photo = EvidencePhotos.original()
            let form = MultipartForm.atSite(photo, note: "Van, on the truck")
            let created = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(job)/proofs", form.closed())
            #expect(created.status == .created, "\(created.text)")
            let proof = try #require(created.json["id"].string)
            #expect(try await admin.post("/v1/proofs/\(proof)/review", #"{"decision":"accepted"}"#).status == .ok)

            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["proofs:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: erpKey)
            let today = RFC3339.format(Date()).prefix(10)
            let rows = Self.rows(try await erp.get("/v1/exports/proofs?from=\(today)&to=\(today)").text)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row["id"] == proof && row["order_number"] == "EXP-1" && row["review_state"] == "accepted")
            #expect(row["note"] == "Van, on the truck")
            #expect(row["crew_code"] == "", "the job has no crew")
            #expect(row["media_count"] == "1")
            #expect(row["media_sha256"] == MediaSamples.sha256Hex(photo))
            let url = try #require(row["media_urls"])
            #expect(url.hasPrefix("http://localhost:8080/v1/media/") && url.hasSuffix("/content"))
            let download = try await erp.get(String(url.dropFirst("http://localhost:8080".count)))
            #expect(Array(buffer: download.body) == photo)
            #expect(try await erp.get("/v1/exports/proofs?from=\(today)&to=\(today)&review_state=rejected").text.split(separator: "\n").count == 1)

            // JSON lines, with signed links that work without a login.
            let line = try await erp.get("/v1/exports/proofs?from=\(today)&to=\(today)&format=jsonl&links=signed&expires_in=600").text
            let object = try JSONDecoder().decode(JSON.self, from: Data(line.utf8))
            #expect(object["order_number"].string == "EXP-1")
            #expect(object["media"][0]["sha256"].string == MediaSamples.sha256Hex(photo))
            let signed = try #require(object["media"][0]["url"].string)
            #expect(signed.hasPrefix("http://localhost:8080/v1/media-links/"))
            let anonymous = APICaller(client, token: nil)
            let fetched = try await anonymous.get(String(signed.dropFirst("http://localhost:8080".count)))
            #expect(fetched.status == .ok)
            #expect(fetched.body.readableBytes > 0)
            #expect(try await erp.get("/v1/exports/proofs?from=\(today)&to=\(today)&links=signed&expires_in=5").json["error"]["field"].string == "expires_in")
        }
    }
}
