import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlsIn } from "./redact-url";

describe("redactUrl", () => {
  it.each([
    ["https://bucket.s3.amazonaws.com/api/1.4.2.tar.gz?X-Amz-Signature=abc&X-Amz-Credential=AKIA", "https://bucket.s3.amazonaws.com/api/1.4.2.tar.gz"],
    ["https://user:secret@artifacts.example.com:8443/a.tgz#frag", "https://artifacts.example.com:8443/a.tgz"],
    ["http://[::1]:8080/x?sig=1", "http://[::1]:8080/x"],
    ["not a url?token=1", "not a url"],
  ])("shows %s as %s", (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it("redacts every URL inside a sentence and leaves the rest", () => {
    expect(redactUrlsIn("curl: (22) https://a.example/x.tgz?sig=1 returned 403, then http://b.example/y?t=2.")).toBe(
      "curl: (22) https://a.example/x.tgz returned 403, then http://b.example/y",
    );
  });
});
